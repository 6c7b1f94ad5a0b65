//! People: the user model and the rules about who may see and change what.

use chrono::{DateTime, Utc};

use super::mail::{self, LinkPurpose};
use super::{leaving, password, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::ids::{parse_guid, GroupId, PortalId, UserId};
use crate::store::{Conn, Store};
use uuid::Uuid;

pub use crate::model::people::{status, GroupRef, NewUser, Profile, User, UserContact};

/// EmployeeActivationStatus (flags).
pub mod activation {
    pub const NOT_ACTIVATED: i64 = 0;
    pub const ACTIVATED: i64 = 1;
    pub const PENDING: i64 = 2;
    pub const AUTO_GENERATED: i64 = 4;
}

/// EmployeeType: All = 0, User = 1, Visitor = 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmployeeType {
    All,
    User,
    Visitor,
}

/// The most contact entries a profile may hold, and their sizes.
pub const MAX_CONTACTS: usize = 100;
const MAX_CONTACT_TYPE: usize = 64;
const MAX_CONTACT_VALUE: usize = 255;
/// The most characters a name, title or location may have (the original's columns).
const MAX_NAME: usize = 64;

/// Whether `caller` may see `user`'s email, mobile phone and contacts: himself, or anyone the
/// People module is open to (everyone but guests).
pub fn can_view_private_data(caller: &Caller, user: &User) -> bool {
    caller.user.id == user.id || !caller.user.is_visitor
}

/// Adding, removing and disabling users, and managing groups, is for portal admins.
pub fn require_admin(caller: &Caller) -> ApiResult<()> {
    if caller.user.is_admin {
        Ok(())
    } else {
        Err(ApiError::forbidden("Access denied: only portal administrators may do this"))
    }
}

/// A user edits his own profile; admins edit anyone's, but only the owner edits the owner's.
pub fn require_can_edit(caller: &Caller, target: &User) -> ApiResult<()> {
    let allowed = caller.user.id == target.id || (caller.user.is_admin && (!target.is_owner || caller.user.is_owner));
    if allowed {
        Ok(())
    } else {
        Err(ApiError::forbidden("Access denied: you may not edit this user"))
    }
}

/// Resolves a `{userid}` route value: `@self`, a GUID, a user name or an email. Removed users
/// are not found.
pub async fn resolve(store: &Store, caller: &Caller, userid: &str) -> ApiResult<User> {
    let userid = userid.trim();
    if userid.eq_ignore_ascii_case("@self") {
        return Ok(caller.user.clone());
    }
    if let Some(id) = parse_guid(userid) {
        return by_id(store, caller, UserId(id)).await;
    }
    let found = match store.user_by_user_name(caller.portal, userid).await? {
        Some(user) => Some(user),
        None if userid.contains('@') => by_email(store, caller, userid).await?,
        None => None,
    };
    found.ok_or_else(|| ApiError::not_found("User not found"))
}

/// The user with this id in the caller's portal.
pub async fn by_id(store: &Store, caller: &Caller, id: UserId) -> ApiResult<User> {
    store.user_by_id(caller.portal, id).await?.ok_or_else(|| ApiError::not_found("User not found"))
}

/// The live user with this email, if the caller may see his email: a guest finds only himself
/// by email, so he cannot probe which addresses have accounts.
pub async fn by_email(store: &Store, caller: &Caller, email: &str) -> ApiResult<Option<User>> {
    Ok(store.user_by_email(caller.portal, email.trim()).await?.filter(|user| can_view_private_data(caller, user)))
}

/// The full profiles of `users`, in their order.
pub async fn profiles(store: &Store, portal: PortalId, users: Vec<User>) -> ApiResult<Vec<Profile>> {
    Ok(store.profiles(portal, users).await?)
}

pub async fn profile(store: &Store, portal: PortalId, user: User) -> ApiResult<Profile> {
    profiles(store, portal, vec![user])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("profile of a loaded user is missing")))
}

/// Which users a list asks for.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    /// EmployeeStatus mask; a user matches when his status is within it.
    pub status: Option<i64>,
    pub group: Option<GroupId>,
    pub activation: Option<i64>,
    pub employee_type: Option<EmployeeType>,
    pub is_administrator: Option<bool>,
    /// Words that must all occur in a user's names, title, location or email.
    pub words: Option<String>,
    /// One text that must occur in a user's names, user name, email or contacts.
    pub text: Option<String>,
    pub sort: PeopleSort,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PeopleSort {
    FirstName,
    LastName,
    #[default]
    DisplayName,
}

/// The users a query selects, sorted, as profiles (every list of people shows groups).
pub async fn find(store: &Store, caller: &Caller, query: &PeopleQuery) -> ApiResult<Vec<Profile>> {
    let is_admin = caller.user.is_admin;
    let mask = match query.status {
        // Only admins see disabled users.
        Some(mask) if !is_admin && mask & status::TERMINATED != 0 => status::DEFAULT,
        Some(mask) => mask,
        None if is_admin => status::ALL,
        None => status::DEFAULT,
    };
    let members = match query.group {
        Some(group) => Some(store.group_member_ids(caller.portal, group).await?),
        None => None,
    };
    let words: Vec<String> =
        query.words.as_deref().map(|w| w.split_whitespace().map(str::to_lowercase).collect()).unwrap_or_default();
    let mut users: Vec<User> = store
        .all_users(caller.portal)
        .await?
        .into_iter()
        .filter(|u| u.status & !mask == 0)
        .filter(|u| members.as_ref().is_none_or(|m| m.contains(&u.id)))
        .filter(|u| match query.activation {
            Some(activation::ACTIVATED) => u.activation_status & activation::ACTIVATED != 0,
            Some(_) => u.activation_status & activation::ACTIVATED == 0,
            None => true,
        })
        .filter(|u| match query.employee_type {
            Some(EmployeeType::User) => !u.is_visitor,
            Some(EmployeeType::Visitor) => u.is_visitor,
            _ => true,
        })
        .filter(|u| query.is_administrator.is_none_or(|admin| u.is_admin == admin))
        .filter(|u| words.is_empty() || matches_words(u, &words, can_view_private_data(caller, u)))
        .collect();
    let key = |u: &User| match query.sort {
        PeopleSort::FirstName => (u.first_name.to_lowercase(), u.last_name.to_lowercase()),
        PeopleSort::LastName => (u.last_name.to_lowercase(), u.first_name.to_lowercase()),
        PeopleSort::DisplayName => (u.display_name().to_lowercase(), String::new()),
    };
    users.sort_by_cached_key(|u| (key(u), u.id));
    if query.descending {
        users.reverse();
    }
    let mut profiles = profiles(store, caller.portal, users).await?;
    if let Some(text) = query.text.as_deref().map(str::to_lowercase) {
        profiles.retain(|p| matches_text(p, &text, can_view_private_data(caller, &p.user)));
    }
    Ok(profiles)
}

/// Every word (of two characters or more; shorter ones never match) occurs in the last name,
/// first name, title, location or (when the caller may see it, `private`) email.
fn matches_words(user: &User, words: &[String], private: bool) -> bool {
    let email = if private { user.email.as_str() } else { "" };
    let fields = [user.last_name.as_str(), &user.first_name, &user.title, &user.location, email].map(str::to_lowercase);
    words.iter().all(|word| word.chars().count() >= 2 && fields.iter().any(|f| f.contains(word.as_str())))
}

/// The text occurs in the names, user name, or (when the caller may see them, `private`) the
/// email or any contact type or value.
fn matches_text(profile: &Profile, text: &str, private: bool) -> bool {
    let user = &profile.user;
    let contacts: &[UserContact] = if private { &profile.contacts } else { &[] };
    [&user.first_name, &user.last_name, &user.user_name]
        .into_iter()
        .chain(private.then_some(&user.email))
        .chain(contacts.iter().flat_map(|c| [&c.kind, &c.value]))
        .any(|field| field.to_lowercase().contains(text))
}

/// The fields of a user created by an administrator, the CLI or at bootstrap.
pub struct UserDraft {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: Option<String>,
    pub is_admin: bool,
    pub is_visitor: bool,
    /// Activated accounts (owner, CLI) skip the invitation's Pending state.
    pub activated: bool,
}

/// Profile fields a request may set; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub sex: Option<Option<bool>>,
    pub birthday: Option<Option<DateTime<Utc>>>,
    pub work_from: Option<Option<DateTime<Utc>>>,
    pub contacts: Option<Vec<UserContact>>,
    pub departments: Option<Vec<GroupId>>,
    pub lead: Option<Option<UserId>>,
    pub is_visitor: Option<bool>,
    pub disable: Option<bool>,
}

/// Creates a user; the user name is the email's local part, made unique with 1, 2, ...
/// Returns the new id and the password actually set (generated when none was given). The CLI
/// and the integration tests call it with the plain portal number, and read a plain GUID.
pub async fn create_user(store: &Store, portal: impl Into<PortalId>, draft: UserDraft) -> ApiResult<(Uuid, String)> {
    let prepared = prepare(draft).await?;
    let mut tx = store.begin_write().await?;
    let id = insert_prepared(store, tx.conn(), portal.into(), &prepared).await?;
    tx.commit().await?;
    Ok((id.0, prepared.password))
}

/// `POST people`: an admin adds a user with profile fields; returns his profile. A user added
/// not activated gets an invitation with a link to `base` (the server's public address),
/// queued in the same transaction.
pub async fn add_member(
    store: &Store,
    caller: &Caller,
    draft: UserDraft,
    mut changes: ProfileChanges,
    base: &str,
) -> ApiResult<Profile> {
    require_admin(caller)?;
    require_name(&draft.first_name, "firstname")?;
    require_name(&draft.last_name, "lastname")?;
    check_changes(&changes)?;
    // Without `worksfrom` a new user starts at midnight UTC of the day he is added (AddMember).
    changes.work_from.get_or_insert(Utc::now().date_naive().and_hms_opt(0, 0, 0).map(|d| d.and_utc()));
    let prepared = prepare(draft).await?;
    let mut tx = store.begin_write().await?;
    let id = insert_prepared(store, tx.conn(), caller.portal, &prepared).await?;
    let mut user = store
        .user_by_id_in(tx.conn(), caller.portal, id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("inserted user {id} is missing")))?;
    apply_changes(store, tx.conn(), caller, &mut user, changes).await?;
    if !prepared.draft.activated {
        mail::queue_link(store, tx.conn(), caller.portal, &user, LinkPurpose::Invite, &user.email, base).await?;
    }
    tx.commit().await?;
    store.mail_queued();
    profile(store, caller.portal, user).await
}

/// `PUT people/{userid}`: the user himself or an admin changes profile fields. Fields an admin
/// alone may change (title, departments, lead, guest status, disabling) need an admin.
pub async fn update_member(
    store: &Store,
    caller: &Caller,
    target: User,
    changes: ProfileChanges,
) -> ApiResult<Profile> {
    require_can_edit(caller, &target)?;
    check_changes(&changes)?;
    let admin_only = changes.title.is_some()
        || changes.departments.is_some()
        || changes.lead.is_some()
        || changes.is_visitor.is_some_and(|v| v != target.is_visitor)
        || changes.disable.is_some_and(|d| d == target.is_active());
    if admin_only {
        require_admin(caller)?;
    }
    if !target.is_active() && changes.disable != Some(false) {
        return Err(ApiError::forbidden("The user is disabled; enable him first"));
    }
    let mut tx = store.begin_write().await?;
    store.lock_user(tx.conn(), caller.portal, target.id).await?;
    // Re-read under the lock, so fields this request leaves alone keep concurrent changes.
    let mut user = store
        .user_by_id_in(tx.conn(), caller.portal, target.id)
        .await?
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    apply_changes(store, tx.conn(), caller, &mut user, changes).await?;
    tx.commit().await?;
    let user = store.user_by_id(caller.portal, user.id).await?.ok_or_else(|| ApiError::not_found("User not found"))?;
    profile(store, caller.portal, user).await
}

/// `PUT people/status/{status}`: an admin enables or disables users; the owner and the caller
/// himself are skipped. Returns the profiles of the listed users that exist.
pub async fn set_status(store: &Store, caller: &Caller, ids: &[UserId], disable: bool) -> ApiResult<Vec<Profile>> {
    require_admin(caller)?;
    let users = store.users_by_ids(caller.portal, ids).await?;
    let mut tx = store.begin_write().await?;
    for mut user in users.iter().cloned() {
        if user.is_owner || user.id == caller.user.id || user.is_active() != disable {
            continue;
        }
        set_disabled(&mut user, disable);
        store.update_user(tx.conn(), caller.portal, &user).await?;
        if disable {
            store.revoke_user_tokens(tx.conn(), caller.portal, user.id).await?;
        }
    }
    tx.commit().await?;
    let users = store.users_by_ids(caller.portal, ids).await?;
    profiles(store, caller.portal, users).await
}

fn set_disabled(user: &mut User, disable: bool) {
    if disable {
        user.status = status::TERMINATED;
        user.terminated_at = Some(Utc::now());
    } else {
        user.status = status::ACTIVE;
        user.terminated_at = None;
    }
}

/// `DELETE people/{userid}`: an admin deletes a disabled user (never the owner or himself).
/// Returns the profile as it was.
pub async fn delete_member(store: &Store, caller: &Caller, target: User) -> ApiResult<Profile> {
    require_admin(caller)?;
    if target.is_owner || target.id == caller.user.id {
        return Err(ApiError::forbidden("The portal owner and the caller himself cannot be deleted"));
    }
    if target.is_active() {
        return Err(ApiError::invalid("userid", "the user must be disabled before he is deleted"));
    }
    let deleted = profile(store, caller.portal, target).await?;
    let mut tx = store.begin_write().await?;
    leaving::check_not_reassigning(store, tx.conn(), caller.portal, &[deleted.user.id], "userid").await?;
    remove_profile(store, tx.conn(), caller.portal, deleted.user.id, caller.user.id).await?;
    tx.commit().await?;
    Ok(deleted)
}

/// Deletes a profile inside `conn`'s transaction and queues the removal of the user's data
/// (his places in teams and on contacts' manager lists), as the original's deletion does.
pub async fn remove_profile(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    user: UserId,
    by: UserId,
) -> ApiResult<()> {
    store.remove_user(conn.re(), portal, user).await?;
    leaving::queue_remove(store, conn.re(), portal, user, by).await?;
    Ok(())
}

/// `PUT people/delete`: an admin deletes the listed users that are disabled; the others (and
/// the owner, the caller, LDAP users) are skipped. Returns the profiles of the listed users that
/// existed, as they were; nothing is deleted while one of them has his data handed over.
pub async fn delete_members(store: &Store, caller: &Caller, ids: &[UserId]) -> ApiResult<Vec<Profile>> {
    require_admin(caller)?;
    let listed = profiles(store, caller.portal, store.users_by_ids(caller.portal, ids).await?).await?;
    let mut tx = store.begin_write().await?;
    leaving::check_not_reassigning(store, tx.conn(), caller.portal, ids, "userIds").await?;
    // Read again inside the transaction: one enabled or deleted meanwhile is skipped.
    let deletable = store.users_by_ids_in(tx.conn(), caller.portal, ids).await?;
    for user in deletable {
        if user.is_active() || user.is_owner || user.id == caller.user.id || user.is_ldap() {
            continue;
        }
        remove_profile(store, tx.conn(), caller.portal, user.id, caller.user.id).await?;
    }
    tx.commit().await?;
    Ok(listed)
}

/// `PUT people/type/{type}`: an admin makes users guests or guests users. The owner, admins
/// and the caller keep their type; `All` changes nothing. Returns the listed users' profiles.
pub async fn set_type(store: &Store, caller: &Caller, ids: &[UserId], kind: EmployeeType) -> ApiResult<Vec<Profile>> {
    require_admin(caller)?;
    let visitor = match kind {
        EmployeeType::User => Some(false),
        EmployeeType::Visitor => Some(true),
        EmployeeType::All => None,
    };
    if let Some(visitor) = visitor {
        let mut tx = store.begin_write().await?;
        let changed: Vec<UserId> = store
            .users_by_ids_in(tx.conn(), caller.portal, ids)
            .await?
            .into_iter()
            .filter(|u| !(u.is_owner || u.is_admin || u.id == caller.user.id || u.is_visitor == visitor))
            .map(|u| u.id)
            .collect();
        store.set_visitor(tx.conn(), caller.portal, &changed, visitor).await?;
        tx.commit().await?;
    }
    profiles(store, caller.portal, store.users_by_ids(caller.portal, ids).await?).await
}

/// `PUT people/self/delete`: mails the caller a link that deletes his profile, as the original
/// does. LDAP users cannot delete themselves (403), as in the original, nor can the owner.
pub async fn send_self_delete_link(store: &Store, caller: &Caller, base: &str) -> ApiResult<String> {
    let user = &caller.user;
    if user.is_ldap() {
        return Err(ApiError::forbidden("Access denied: an LDAP user's profile is managed by the directory"));
    }
    if user.is_owner {
        return Err(ApiError::forbidden("The portal owner cannot delete his profile: transfer the portal first"));
    }
    let mut tx = store.begin_write().await?;
    mail::queue_link(store, tx.conn(), caller.portal, user, LinkPurpose::DeleteProfile, &user.email, base).await?;
    tx.commit().await?;
    store.mail_queued();
    Ok(format!("The instructions for deleting your profile have been sent to <b>{}</b>.", user.email))
}

/// Deletes a profile its user confirmed deleting (by the mailed link), in `conn`'s
/// transaction: he is disabled and signed out, the profile deleted, and the removal of his data
/// queued, as an admin's deletion does.
pub async fn delete_own_profile(store: &Store, mut conn: Conn<'_>, portal: PortalId, mut user: User) -> ApiResult<()> {
    set_disabled(&mut user, true);
    store.update_user(conn.re(), portal, &user).await?;
    store.revoke_user_tokens(conn.re(), portal, user.id).await?;
    store.remove_user(conn.re(), portal, user.id).await?;
    leaving::queue_remove(store, conn.re(), portal, user.id, user.id).await?;
    Ok(())
}

/// `PUT people/{userid}/password`: sets a new password and signs the user out everywhere.
pub async fn change_password(store: &Store, caller: &Caller, target: User, new_password: &str) -> ApiResult<Profile> {
    require_can_edit(caller, &target)?;
    let portal = caller.portal;
    set_password_of(store, portal, target.id, new_password).await?;
    profile(store, portal, target).await
}

/// How `people/{userid}/contacts` changes a contact list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactsEdit {
    /// POST: the list becomes the given one.
    Replace,
    /// PUT: given pairs not present yet are added.
    Merge,
    /// DELETE: entries matching type and value go; an item without a value removes every
    /// entry of its type.
    Remove,
}

/// `POST/PUT/DELETE people/{userid}/contacts`, in one transaction; returns the profile.
pub async fn edit_contacts(
    store: &Store,
    caller: &Caller,
    target: User,
    edit: ContactsEdit,
    items: Vec<UserContact>,
) -> ApiResult<Profile> {
    require_can_edit(caller, &target)?;
    // DELETE ignores an item without a type, as the original does (EmployeeApi DeleteContacts).
    let items: Vec<UserContact> = match edit {
        ContactsEdit::Remove => items.into_iter().filter(|item| !item.kind.trim().is_empty()).collect(),
        _ => items,
    };
    check_contacts(&items, edit != ContactsEdit::Remove)?;
    let mut tx = store.begin_write().await?;
    store.lock_user(tx.conn(), caller.portal, target.id).await?;
    let current = store.user_contacts(tx.conn(), caller.portal, target.id).await?;
    let next = match edit {
        ContactsEdit::Replace => items,
        ContactsEdit::Merge => {
            let mut next = current.clone();
            for item in items {
                if !next.contains(&item) {
                    next.push(item);
                }
            }
            next
        }
        ContactsEdit::Remove => current
            .iter()
            .filter(|c| !items.iter().any(|i| i.kind == c.kind && (i.value.is_empty() || i.value == c.value)))
            .cloned()
            .collect(),
    };
    if next.len() > MAX_CONTACTS {
        return Err(ApiError::invalid("contacts", format!("a profile holds at most {MAX_CONTACTS} contacts")));
    }
    if next != current {
        store.replace_contacts(tx.conn(), caller.portal, target.id, &next).await?;
    }
    tx.commit().await?;
    profile(store, caller.portal, target).await
}

fn check_contacts(items: &[UserContact], values_required: bool) -> ApiResult<()> {
    if items.len() > MAX_CONTACTS {
        return Err(ApiError::invalid("contacts", format!("at most {MAX_CONTACTS} items")));
    }
    for (i, item) in items.iter().enumerate() {
        if item.kind.trim().is_empty() {
            return Err(ApiError::missing(&format!("contacts[{i}].type")));
        }
        if values_required && item.value.trim().is_empty() {
            return Err(ApiError::missing(&format!("contacts[{i}].value")));
        }
        if item.kind.chars().count() > MAX_CONTACT_TYPE || item.value.chars().count() > MAX_CONTACT_VALUE {
            return Err(ApiError::invalid(
                &format!("contacts[{i}]"),
                format!("type has at most {MAX_CONTACT_TYPE} characters and value at most {MAX_CONTACT_VALUE}"),
            ));
        }
    }
    Ok(())
}

fn require_name(value: &str, param: &str) -> ApiResult<()> {
    super::required_text(value, param, MAX_NAME).map(drop)
}

fn check_length(value: &str, param: &str) -> ApiResult<()> {
    if value.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(param, format!("at most {MAX_NAME} characters")));
    }
    Ok(())
}

fn check_changes(changes: &ProfileChanges) -> ApiResult<()> {
    for (value, param) in [(&changes.first_name, "firstname"), (&changes.last_name, "lastname")] {
        if let Some(value) = value {
            require_name(value, param)?;
        }
    }
    for (value, param) in [(&changes.title, "title"), (&changes.location, "location")] {
        if let Some(value) = value {
            check_length(value, param)?;
        }
    }
    if let Some(contacts) = &changes.contacts {
        check_contacts(contacts, true)?;
    }
    Ok(())
}

/// Writes validated changes to `user` (already checked for rights) inside `conn`'s transaction.
async fn apply_changes(
    store: &Store,
    mut conn: Conn<'_>,
    caller: &Caller,
    user: &mut User,
    changes: ProfileChanges,
) -> ApiResult<()> {
    let portal = caller.portal;
    let assign = |slot: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *slot = value.trim().to_string();
        }
    };
    assign(&mut user.first_name, changes.first_name);
    assign(&mut user.last_name, changes.last_name);
    assign(&mut user.title, changes.title);
    assign(&mut user.location, changes.location);
    assign(&mut user.notes, changes.notes);
    if let Some(sex) = changes.sex {
        user.sex = sex;
    }
    if let Some(birthday) = changes.birthday {
        user.birthday = birthday;
    }
    if let Some(work_from) = changes.work_from {
        user.work_from = work_from;
    }
    if let Some(lead) = changes.lead {
        if let Some(lead) = lead {
            if store.user_by_id_in(conn.re(), portal, lead).await?.is_none() {
                return Err(ApiError::invalid("lead", "no such user"));
            }
        }
        user.lead = lead;
    }
    if let Some(is_visitor) = changes.is_visitor {
        if is_visitor && (user.is_owner || user.is_admin || user.id == caller.user.id) {
            return Err(ApiError::invalid(
                "isVisitor",
                "the owner, admins and the caller himself cannot become guests",
            ));
        }
        user.is_visitor = is_visitor;
    }
    if let Some(disable) = changes.disable {
        if disable && (user.is_owner || user.id == caller.user.id) {
            return Err(ApiError::forbidden("The portal owner and the caller himself cannot be disabled"));
        }
        if disable == user.is_active() {
            set_disabled(user, disable);
            if disable {
                store.revoke_user_tokens(conn.re(), portal, user.id).await?;
            }
        }
    }
    store.update_user(conn.re(), portal, user).await?;
    if let Some(contacts) = changes.contacts {
        store.replace_contacts(conn.re(), portal, user.id, &contacts).await?;
    }
    if let Some(departments) = changes.departments {
        store.set_user_groups(conn.re(), portal, user.id, &departments).await?;
    }
    Ok(())
}

/// A draft checked and hashed outside any transaction (hashing is slow on purpose).
struct PreparedUser {
    draft: UserDraft,
    email: String,
    password: String,
    password_hash: String,
}

async fn prepare(draft: UserDraft) -> ApiResult<PreparedUser> {
    let email = normalize_email(&draft.email)?;
    let password = match &draft.password {
        Some(password) => {
            password::check_policy(password)?;
            password.clone()
        }
        None => password::generate(),
    };
    let password_hash = password::hash_in_turn(&password).await?;
    Ok(PreparedUser { draft, email, password, password_hash })
}

async fn insert_prepared(
    store: &Store,
    mut conn: Conn<'_>,
    portal: PortalId,
    user: &PreparedUser,
) -> ApiResult<UserId> {
    if store.email_taken(conn.re(), portal, &user.email, None).await? {
        return Err(ApiError::invalid("email", "a user with this email already exists"));
    }
    let local = user.email.split('@').next().unwrap_or_default();
    let mut user_name = local.to_string();
    let mut suffix = 0;
    while store.user_name_taken(conn.re(), portal, &user_name).await? {
        suffix += 1;
        user_name = format!("{local}{suffix}");
    }
    let draft = &user.draft;
    let id = UserId(uuid::Uuid::new_v4());
    let new_user = NewUser {
        id,
        user_name,
        email: user.email.clone(),
        first_name: draft.first_name.trim().to_string(),
        last_name: draft.last_name.trim().to_string(),
        is_visitor: draft.is_visitor && !draft.is_admin,
        activation_status: if draft.activated { activation::ACTIVATED } else { activation::PENDING },
        password_hash: user.password_hash.clone(),
    };
    store.insert_user(conn.re(), portal, &new_user).await?;
    if draft.is_admin {
        store.set_admin(conn.re(), portal, id).await?;
    }
    Ok(id)
}

/// Sets a new password for the user with this login (user name or email) and revokes his tokens.
/// Sets a password by login (the CLI and the tests name the portal by its number).
pub async fn set_password(
    store: &Store,
    portal: impl Into<PortalId>,
    login: &str,
    new_password: &str,
) -> ApiResult<UserId> {
    let portal = portal.into();
    let id = by_login(store, portal, login).await?.ok_or_else(|| ApiError::not_found("User not found"))?.id;
    set_password_of(store, portal, id, new_password).await?;
    Ok(id)
}

async fn set_password_of(store: &Store, portal: PortalId, user: UserId, new_password: &str) -> ApiResult<()> {
    password::check_policy(new_password)?;
    let hash = password::hash_in_turn(new_password).await?;
    let mut tx = store.begin_write().await?;
    if !store.set_password_hash(tx.conn(), portal, user, &hash).await? {
        return Err(ApiError::not_found("User not found"));
    }
    store.revoke_user_tokens(tx.conn(), portal, user).await?;
    // Mailed links that would set another password stop working.
    store.use_user_links(tx.conn(), portal, user, &mail::PASSWORD_LINKS).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a portal and its owner (an activated admin) on first start, in one transaction.
/// Returns the owner's password when it was generated, to be shown once; `None` when the portal
/// already had an owner or the password was given.
pub async fn bootstrap_portal(
    store: &Store,
    portal: PortalId,
    owner_email: &str,
    owner_password: Option<&str>,
) -> ApiResult<Option<String>> {
    let mut tx = store.begin_write().await?;
    store.ensure_portal(tx.conn(), portal).await?;
    let has_owner = store.portal_owner(tx.conn(), portal).await?.is_some();
    tx.commit().await?;
    if has_owner {
        return Ok(None);
    }
    let owner = prepare(UserDraft {
        email: owner_email.to_string(),
        first_name: "Portal".into(),
        last_name: "Owner".into(),
        password: owner_password.map(str::to_string),
        is_admin: true,
        is_visitor: false,
        activated: true,
    })
    .await?;
    let mut tx = store.begin_write().await?;
    if store.portal_owner(tx.conn(), portal).await?.is_some() {
        return Ok(None); // another server process bootstrapped it meanwhile
    }
    let id = insert_prepared(store, tx.conn(), portal, &owner).await?;
    store.set_portal_owner(tx.conn(), portal, id).await?;
    tx.commit().await?;
    Ok(owner_password.is_none().then_some(owner.password))
}

/// The live user whose email or user name is `login` (the email first, as logins take it); for
/// the command line, which names users as people type them.
pub async fn by_login(store: &Store, portal: PortalId, login: &str) -> ApiResult<Option<User>> {
    Ok(store.credentials_by_login(portal, login).await?.map(|stored| stored.user))
}

/// Checks an email's shape and returns it trimmed.
pub fn normalize_email(email: &str) -> ApiResult<String> {
    let email = email.trim();
    if email.is_empty() {
        return Err(ApiError::missing("email"));
    }
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email.len() <= 255
        }
        None => false,
    };
    if !valid {
        return Err(ApiError::invalid("email", "not an email address"));
    }
    Ok(email.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked() {
        assert_eq!(normalize_email("  a@b.c ").unwrap(), "a@b.c");
        assert!(normalize_email("").is_err());
        assert!(normalize_email("ab.c").is_err());
        assert!(normalize_email("a@").is_err());
        assert!(normalize_email("a b@c").is_err());
        assert!(normalize_email("a@b@c").is_err());
    }

    fn contact(kind: &str, value: &str) -> UserContact {
        UserContact { kind: kind.into(), value: value.into() }
    }

    #[test]
    fn contact_items_are_validated() {
        assert!(check_contacts(&[contact("skype", "a")], true).is_ok());
        assert!(check_contacts(&[contact("", "a")], true).unwrap_err().to_string().contains("contacts[0].type"));
        assert!(check_contacts(&[contact("skype", "a"), contact("mail", "")], true)
            .unwrap_err()
            .to_string()
            .contains("contacts[1].value"));
        assert!(check_contacts(&[contact("mail", "")], false).is_ok(), "DELETE may leave the value out");
        assert!(check_contacts(&[contact(&"x".repeat(65), "a")], true).is_err());
    }
}

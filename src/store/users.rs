//! Users, their contacts, admin membership and status.

use std::collections::HashMap;

use crate::model::ids::{GroupId, PortalId, UserId};
use sqlx::Row;

use super::{
    args, distinct_json_array, from_ticks, json_array, parse_uuid, to_ticks, Arg, Args, Columns, Conn, Cost, Store,
};
use crate::model::people::{GroupRef, NewUser, Profile, User, UserContact};
use crate::model::photos::{PhotoFormat, PhotoStamp};

/// The columns of a user row, as `user_from_row` reads them.
const USER_COLUMNS: &str = "u.id, u.user_name, u.email, u.first_name, u.last_name, u.sex, \
    u.birthday, u.work_from, u.terminated_at, u.title, u.location, u.notes, u.status, \
    u.activation_status, u.culture_name, u.mobile_phone, u.mobile_phone_activation, u.lead_id, \
    u.sid, u.sso_name_id, u.is_visitor, u.created_at, u.last_modified, u.photo_format, u.photo_version, \
    EXISTS (SELECT 1 FROM admins a WHERE a.portal_id = u.portal_id AND a.user_id = u.id) AS is_admin, \
    EXISTS (SELECT 1 FROM portals p WHERE p.id = u.portal_id AND p.owner_id = u.id) AS is_owner";

/// What a login checks a password against.
pub struct StoredCredentials {
    pub user: User,
    pub password_hash: String,
}

fn user_from_row<R: Columns + ?Sized>(row: &R) -> Result<User, sqlx::Error> {
    Ok(User {
        id: UserId(parse_uuid(&row.text("id")?)?),
        user_name: row.text("user_name")?,
        email: row.text("email")?,
        first_name: row.text("first_name")?,
        last_name: row.text("last_name")?,
        sex: row.opt_int("sex")?.map(|s| s != 0),
        birthday: row.opt_int("birthday")?.map(from_ticks),
        work_from: row.opt_int("work_from")?.map(from_ticks),
        terminated_at: row.opt_int("terminated_at")?.map(from_ticks),
        title: row.text("title")?,
        location: row.text("location")?,
        notes: row.text("notes")?,
        status: row.int("status")?,
        activation_status: row.int("activation_status")?,
        culture_name: row.opt_text("culture_name")?,
        mobile_phone: row.opt_text("mobile_phone")?,
        mobile_phone_activation: row.int("mobile_phone_activation")?,
        lead: row.opt_text("lead_id")?.and_then(|t| uuid::Uuid::parse_str(&t).ok()).map(UserId),
        sid: row.opt_text("sid")?,
        sso_name_id: row.opt_text("sso_name_id")?,
        is_visitor: row.int("is_visitor")? != 0,
        is_admin: row.flag("is_admin")?,
        is_owner: row.flag("is_owner")?,
        created_at: from_ticks(row.int("created_at")?),
        last_modified: from_ticks(row.int("last_modified")?),
        photo: photo_stamp(row)?,
    })
}

/// The user's photo, when he has one.
fn photo_stamp<R: Columns + ?Sized>(row: &R) -> Result<Option<PhotoStamp>, sqlx::Error> {
    let format = row.opt_text("photo_format")?;
    let version = row.opt_int("photo_version")?;
    Ok(format
        .as_deref()
        .and_then(PhotoFormat::from_extension)
        .zip(version)
        .map(|(format, version)| PhotoStamp { format, version }))
}

impl Store {
    async fn one_user(&self, sql_filter: &str, portal: PortalId, value: String) -> Result<Option<User>, sqlx::Error> {
        let sql =
            format!("SELECT {USER_COLUMNS} FROM users u WHERE u.portal_id = $1 AND u.removed = 0 AND {sql_filter}");
        let row = sqlx::query(&sql).bind(portal.0).bind(value).fetch_optional(self.pool()).await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// A live (not removed) user by id.
    pub async fn user_by_id(&self, portal: PortalId, id: UserId) -> Result<Option<User>, sqlx::Error> {
        self.one_user("u.id = $2", portal, id.to_string()).await
    }

    /// A live user by id, read inside a transaction (to see its own writes).
    pub async fn user_by_id_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: UserId,
    ) -> Result<Option<User>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.portal_id = $1 AND u.removed = 0 AND u.id = $2");
        Ok(conn.rows(&sql, &args![portal.0, id.to_string()], |row| user_from_row(row)).await?.pop())
    }

    /// A live user by user name (case-insensitive).
    pub async fn user_by_user_name(&self, portal: PortalId, user_name: &str) -> Result<Option<User>, sqlx::Error> {
        self.one_user("u.user_name_key = $2", portal, user_name.to_lowercase()).await
    }

    /// A live user by email (case-insensitive).
    pub async fn user_by_email(&self, portal: PortalId, email: &str) -> Result<Option<User>, sqlx::Error> {
        self.one_user("u.email_key = $2", portal, email.to_lowercase()).await
    }

    /// A live user by user name or email (case-insensitive), with the password hash.
    pub async fn credentials_by_login(
        &self,
        portal: PortalId,
        login: &str,
    ) -> Result<Option<StoredCredentials>, sqlx::Error> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u \
             WHERE u.portal_id = $1 AND u.removed = 0 AND (u.email_key = $2 OR u.user_name_key = $2) \
             ORDER BY CASE WHEN u.email_key = $2 THEN 0 ELSE 1 END LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(portal.0).bind(login.to_lowercase()).fetch_optional(self.pool()).await?;
        row.map(|row| {
            Ok(StoredCredentials { user: user_from_row(&row)?, password_hash: row.try_get("password_hash")? })
        })
        .transpose()
    }

    /// A live user by the hash of one of his tokens that is neither expired nor revoked; kept
    /// while the portal's stamp holds, where things are kept ([`kept`](super::kept)).
    pub async fn user_by_token(
        &self,
        portal: PortalId,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<User>, sqlx::Error> {
        let now = to_ticks(now);
        let mut before = 0;
        if let Some(kept) = &self.kept {
            before = self.portal_stamp(portal).await?;
            if let Some(user) = kept.caller(portal, token_hash, before, now) {
                return Ok(Some(user));
            }
        }
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.expires_at, {} AS stamp \
             FROM tokens t JOIN users u ON u.portal_id = t.portal_id AND u.id = t.user_id \
             WHERE t.token_hash = $2 AND t.portal_id = $1 AND t.revoked_at IS NULL AND t.expires_at > $3 \
             AND u.removed = 0",
            self.stamp_column()
        );
        let mut args = Args::default();
        args.push(Arg::Int(portal.0));
        args.push(Arg::Text(token_hash.to_string()));
        args.push(Arg::Int(now));
        let found = self
            .read_rows(&sql, &args, |row| Ok((user_from_row(row)?, row.int("expires_at")?, row.int("stamp")?)))
            .await?
            .pop();
        Ok(found.map(|(user, expires_at, stamp)| {
            if let Some(kept) = &self.kept {
                kept.keep_caller(portal, token_hash, self.stamp_of_read(stamp, before), expires_at, &user);
            }
            user
        }))
    }

    /// Every live user of the portal.
    pub async fn all_users(&self, portal: PortalId) -> Result<Vec<User>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.portal_id = $1 AND u.removed = 0");
        let rows = sqlx::query(&sql).bind(portal.0).fetch_all(self.pool()).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Live users by id, in the order of their first mention; ids without a live user are left
    /// out. One statement for any number, where things are kept only for those not kept while
    /// the portal's stamp holds ([`kept`](super::kept)).
    pub async fn users_by_ids(&self, portal: PortalId, ids: &[UserId]) -> Result<Vec<User>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let before = match &self.kept {
            Some(_) => self.portal_stamp(portal).await?,
            None => 0,
        };
        let (mut found, missing) = match &self.kept {
            Some(kept) => kept.users(portal, before, ids),
            None => (HashMap::new(), ids.to_vec()),
        };
        if !missing.is_empty() {
            let mut args = Args::default();
            args.push(Arg::Int(portal.0));
            args.push(Arg::Text(user_ids_json(&missing)));
            let read = self
                .read_rows_costing(Cost::of_ids(missing.len()), &self.users_by_ids_sql(), &args, |row| {
                    Ok((user_from_row(row)?, row.int("stamp")?))
                })
                .await?;
            if let (Some(kept), Some((_, stamp))) = (&self.kept, read.first()) {
                let users: Vec<User> = read.iter().map(|(user, _)| user.clone()).collect();
                kept.keep_users(portal, self.stamp_of_read(*stamp, before), &users);
            }
            found.extend(read.into_iter().map(|(user, _)| (user.id, user)));
        }
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    /// As [`Store::users_by_ids`], inside a transaction (to see its own writes).
    pub async fn users_by_ids_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[UserId],
    ) -> Result<Vec<User>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = self.users_by_ids_sql();
        conn.rows(&sql, &args![portal.0, user_ids_json(ids)], |row| user_from_row(row)).await
    }

    /// Live users of portal `$1` by id (`$2`, a JSON array of texts).
    /// Live users by the ids of the JSON array bound as `$2`, with the portal's stamp where
    /// things are kept.
    fn users_by_ids_sql(&self) -> String {
        format!(
            "SELECT {USER_COLUMNS}, {} AS stamp {} AND u.portal_id = $1 AND u.removed = 0",
            self.stamp_column(),
            self.from_listed("users u", "u.id", &self.json_texts(2))
        )
    }

    /// Makes the listed live users guests (`visitor`) or users, in one statement.
    pub async fn set_visitor(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        ids: &[UserId],
        visitor: bool,
    ) -> Result<(), sqlx::Error> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE users SET is_visitor = $3, last_modified = $4 WHERE portal_id = $1 AND removed = 0 AND id IN {}",
            self.json_texts(2)
        );
        let ids = json_array(&ids.iter().map(UserId::to_string).collect::<Vec<_>>());
        conn.execute(&sql, &args![portal.0, ids, i64::from(visitor), to_ticks(chrono::Utc::now())]).await?;
        Ok(())
    }

    /// The full profiles of `users`: their contacts and departments, in one statement.
    pub async fn profiles(&self, portal: PortalId, users: Vec<User>) -> Result<Vec<Profile>, sqlx::Error> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        // One statement for both: contact rows (kind 0) and department rows (kind 1), in the
        // order each is shown.
        let ids = json_array(&users.iter().map(|u| u.id.to_string()).collect::<Vec<_>>());
        let sql = format!(
            "SELECT 0 AS kind, c.user_id, c.type AS a, c.value AS b, NULL AS manager, c.position AS ord \
             FROM user_contacts c WHERE c.portal_id = $1 AND c.user_id IN {ids} \
             UNION ALL \
             SELECT 1, m.user_id, g.id, g.name, mu.user_name, 0 FROM group_members m \
             JOIN groups g ON g.portal_id = m.portal_id AND g.id = m.group_id \
             LEFT JOIN users mu ON mu.portal_id = g.portal_id AND mu.id = g.manager_id AND mu.removed = 0 \
             WHERE m.portal_id = $1 AND m.user_id IN {ids} \
             ORDER BY 1, 2, 6, 4, 3",
            ids = self.json_texts(2)
        );
        let mut contacts: HashMap<String, Vec<UserContact>> = HashMap::new();
        let mut groups: HashMap<String, Vec<GroupRef>> = HashMap::new();
        for row in sqlx::query(&sql).bind(portal.0).bind(&ids).fetch_all(self.pool()).await? {
            let user: String = row.try_get("user_id")?;
            if row.try_get::<i64, _>("kind")? == 0 {
                let contact = UserContact { kind: row.try_get("a")?, value: row.try_get("b")? };
                contacts.entry(user).or_default().push(contact);
            } else {
                let group = GroupRef {
                    id: GroupId(parse_uuid(&row.try_get::<String, _>("a")?)?),
                    name: row.try_get("b")?,
                    manager: row.try_get("manager")?,
                };
                groups.entry(user).or_default().push(group);
            }
        }
        Ok(users
            .into_iter()
            .map(|user| {
                let key = user.id.to_string();
                Profile {
                    contacts: contacts.remove(&key).unwrap_or_default(),
                    groups: groups.remove(&key).unwrap_or_default(),
                    user,
                }
            })
            .collect())
    }

    /// Whether a live user already has this user name (case-insensitive).
    pub async fn user_name_taken(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user_name: &str,
    ) -> Result<bool, sqlx::Error> {
        let sql = "SELECT COUNT(*) AS n FROM users WHERE portal_id = $1 AND user_name_key = $2 AND removed = 0";
        Ok(conn.one(sql, &args![portal.0, user_name.to_lowercase()], |row| row.int("n")).await? > 0)
    }

    /// Whether a live user other than `except` already has this email (case-insensitive).
    ///
    /// On PostgreSQL this first locks the portal's user names and emails until the transaction
    /// ends: two requests with one email both found it free and both inserted, and the second
    /// failed on the unique index (a 500 instead of a 400). SQLite writers already run one at a
    /// time. Only the portal row is locked, and not against the key-share locks of inserts.
    pub async fn email_taken(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        email: &str,
        except: Option<UserId>,
    ) -> Result<bool, sqlx::Error> {
        if self.backend == super::Backend::Postgres {
            conn.rows("SELECT id FROM portals WHERE id = $1 FOR NO KEY UPDATE", &args![portal.0], |_| Ok(())).await?;
        }
        let sql =
            "SELECT COUNT(*) AS n FROM users WHERE portal_id = $1 AND email_key = $2 AND removed = 0 AND id <> $3";
        let args = args![portal.0, email.to_lowercase(), except.map(|id| id.to_string()).unwrap_or_default()];
        Ok(conn.one(sql, &args, |row| row.int("n")).await? > 0)
    }

    pub async fn insert_user(&self, mut conn: Conn<'_>, portal: PortalId, user: &NewUser) -> Result<(), sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let sql = "INSERT INTO users (portal_id, id, user_name, user_name_key, email, email_key, first_name, \
                   last_name, status, activation_status, is_visitor, password_hash, work_from, created_at, last_modified) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $12, $12)";
        let args = args![
            portal.0,
            user.id.to_string(),
            user.user_name.clone(),
            user.user_name.to_lowercase(),
            user.email.clone(),
            user.email.to_lowercase(),
            user.first_name.clone(),
            user.last_name.clone(),
            user.activation_status,
            i64::from(user.is_visitor),
            user.password_hash.clone(),
            now,
        ];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    /// Writes the editable fields of a user's profile.
    pub async fn update_user(&self, mut conn: Conn<'_>, portal: PortalId, user: &User) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET first_name = $3, last_name = $4, email = $5, email_key = $6, sex = $7, \
                   birthday = $8, work_from = $9, terminated_at = $10, title = $11, location = $12, notes = $13, \
                   status = $14, lead_id = $15, is_visitor = $16, mobile_phone = $17, culture_name = $18, \
                   last_modified = $19 WHERE portal_id = $1 AND id = $2 AND removed = 0";
        let args = args![
            portal.0,
            user.id.to_string(),
            user.first_name.clone(),
            user.last_name.clone(),
            user.email.clone(),
            user.email.to_lowercase(),
            user.sex.map(i64::from),
            user.birthday.map(to_ticks),
            user.work_from.map(to_ticks),
            user.terminated_at.map(to_ticks),
            user.title.clone(),
            user.location.clone(),
            user.notes.clone(),
            user.status,
            user.lead.map(|id| id.to_string()),
            i64::from(user.is_visitor),
            user.mobile_phone.clone(),
            user.culture_name.clone(),
            to_ticks(chrono::Utc::now()),
        ];
        conn.execute(sql, &args).await?;
        Ok(())
    }

    /// Marks a user removed: invisible to every lookup, his email and user name free again.
    pub async fn remove_user(&self, mut conn: Conn<'_>, portal: PortalId, user: UserId) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET removed = 1, last_modified = $3 WHERE portal_id = $1 AND id = $2";
        conn.execute(sql, &args![portal.0, user.to_string(), to_ticks(chrono::Utc::now())]).await?;
        let args = args![portal.0, user.to_string()];
        for table in ["group_members", "admins"] {
            conn.execute(&format!("DELETE FROM {table} WHERE portal_id = $1 AND user_id = $2"), &args).await?;
        }
        conn.execute("UPDATE groups SET manager_id = NULL WHERE portal_id = $1 AND manager_id = $2", &args).await?;
        self.revoke_user_tokens(conn, portal, user).await?;
        Ok(())
    }

    /// Locks a user's row until the transaction ends, so read-modify-write changes of one user
    /// (his contacts, say) from concurrent requests or servers apply one after the other.
    /// SQLite needs nothing: its write transactions already run one at a time.
    pub async fn lock_user(&self, mut conn: Conn<'_>, portal: PortalId, user: UserId) -> Result<(), sqlx::Error> {
        if self.backend == super::Backend::Postgres {
            let sql = "SELECT id FROM users WHERE portal_id = $1 AND id = $2 FOR UPDATE";
            conn.rows(sql, &args![portal.0, user.to_string()], |_| Ok(())).await?;
        }
        Ok(())
    }

    /// A user's contact list, inside a transaction.
    pub async fn user_contacts(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
    ) -> Result<Vec<UserContact>, sqlx::Error> {
        let sql = "SELECT type, value FROM user_contacts WHERE portal_id = $1 AND user_id = $2 ORDER BY position";
        conn.rows(sql, &args![portal.0, user.to_string()], |row| {
            Ok(UserContact { kind: row.text("type")?, value: row.text("value")? })
        })
        .await
    }

    /// Replaces a user's contact list with `contacts`, in their order.
    pub async fn replace_contacts(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
        contacts: &[UserContact],
    ) -> Result<(), sqlx::Error> {
        conn.execute(
            "DELETE FROM user_contacts WHERE portal_id = $1 AND user_id = $2",
            &args![portal.0, user.to_string()],
        )
        .await?;
        let sql = "INSERT INTO user_contacts (portal_id, user_id, position, type, value) VALUES ($1, $2, $3, $4, $5)";
        for (position, contact) in contacts.iter().enumerate() {
            let args = args![portal.0, user.to_string(), position as i64, contact.kind.clone(), contact.value.clone()];
            conn.execute(sql, &args).await?;
        }
        Ok(())
    }

    pub async fn set_admin(&self, mut conn: Conn<'_>, portal: PortalId, user: UserId) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO admins (portal_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
        conn.execute(sql, &args![portal.0, user.to_string()]).await?;
        Ok(())
    }

    pub async fn unset_admin(&self, mut conn: Conn<'_>, portal: PortalId, user: UserId) -> Result<(), sqlx::Error> {
        conn.execute("DELETE FROM admins WHERE portal_id = $1 AND user_id = $2", &args![portal.0, user.to_string()])
            .await?;
        Ok(())
    }

    /// Sets a user's password hash; false when no live user has that id.
    pub async fn set_password_hash(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
        hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let sql =
            "UPDATE users SET password_hash = $3, last_modified = $4 WHERE portal_id = $1 AND id = $2 AND removed = 0";
        Ok(conn.execute(sql, &args![portal.0, user.to_string(), hash, to_ticks(chrono::Utc::now())]).await? > 0)
    }
}

/// The ids of a users-by-id read, once each.
fn user_ids_json(ids: &[UserId]) -> String {
    distinct_json_array(&ids.iter().map(UserId::to_string).collect::<Vec<_>>())
}

//! Users, their contacts and admin membership.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{from_ticks, json_array, to_ticks, Store};
use crate::domain::people::{User, UserContact};

/// The columns of a user row, in the order `user_from_row` reads them; `$1` is the portal.
const USER_COLUMNS: &str = "u.id, u.user_name, u.email, u.first_name, u.last_name, u.sex, \
    u.birthday, u.work_from, u.terminated_at, u.title, u.location, u.notes, u.status, \
    u.activation_status, u.culture_name, u.mobile_phone, u.mobile_phone_activation, u.lead_id, \
    u.sid, u.sso_name_id, u.is_visitor, u.created_at, u.last_modified, \
    EXISTS (SELECT 1 FROM admins a WHERE a.portal_id = u.portal_id AND a.user_id = u.id) AS is_admin, \
    EXISTS (SELECT 1 FROM portals p WHERE p.id = u.portal_id AND p.owner_id = u.id) AS is_owner";

/// What a login checks a password against.
pub struct StoredCredentials {
    pub user: User,
    pub password_hash: String,
}

/// A user to insert; the store fills in nothing but what it is given.
pub struct NewUser {
    pub id: Uuid,
    pub user_name: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub is_visitor: bool,
    pub activation_status: i64,
    pub password_hash: String,
    pub contacts: Vec<UserContact>,
}

fn opt_uuid(text: Option<String>) -> Option<Uuid> {
    text.and_then(|t| Uuid::parse_str(&t).ok())
}

fn user_from_row(row: &AnyRow) -> Result<User, sqlx::Error> {
    let id: String = row.try_get("id")?;
    Ok(User {
        id: Uuid::parse_str(&id).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        user_name: row.try_get("user_name")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        sex: row.try_get::<Option<i64>, _>("sex")?.map(|s| s != 0),
        birthday: row.try_get::<Option<i64>, _>("birthday")?.map(from_ticks),
        work_from: row.try_get::<Option<i64>, _>("work_from")?.map(from_ticks),
        terminated_at: row
            .try_get::<Option<i64>, _>("terminated_at")?
            .map(from_ticks),
        title: row.try_get("title")?,
        location: row.try_get("location")?,
        notes: row.try_get("notes")?,
        status: row.try_get("status")?,
        activation_status: row.try_get("activation_status")?,
        culture_name: row.try_get("culture_name")?,
        mobile_phone: row.try_get("mobile_phone")?,
        mobile_phone_activation: row.try_get("mobile_phone_activation")?,
        lead: opt_uuid(row.try_get("lead_id")?),
        sid: row.try_get("sid")?,
        sso_name_id: row.try_get("sso_name_id")?,
        is_visitor: row.try_get::<i64, _>("is_visitor")? != 0,
        is_admin: flag(row, "is_admin")?,
        is_owner: flag(row, "is_owner")?,
        created_at: from_ticks(row.try_get("created_at")?),
        last_modified: from_ticks(row.try_get("last_modified")?),
        contacts: Vec::new(),
    })
}

/// `EXISTS` is an integer in SQLite and a boolean in PostgreSQL.
fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

impl Store {
    /// A live (not removed) user by id, with contacts.
    pub async fn user_by_id(&self, portal: i64, id: Uuid) -> Result<Option<User>, sqlx::Error> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.portal_id = $1 AND u.id = $2 AND u.removed = 0"
        );
        let row = sqlx::query(&sql)
            .bind(portal)
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        self.with_contacts(portal, row).await
    }

    /// A live user by user name or email (case-insensitive), with the password hash.
    pub async fn credentials_by_login(
        &self,
        portal: i64,
        login: &str,
    ) -> Result<Option<StoredCredentials>, sqlx::Error> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, u.password_hash FROM users u \
             WHERE u.portal_id = $1 AND u.removed = 0 AND (u.email_key = $2 OR u.user_name_key = $2) \
             ORDER BY CASE WHEN u.email_key = $2 THEN 0 ELSE 1 END LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(portal)
            .bind(login.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let password_hash: String = row.try_get("password_hash")?;
        let user = self.with_contacts(portal, Some(row)).await?;
        Ok(user.map(|user| StoredCredentials {
            user,
            password_hash,
        }))
    }

    /// A live user by the hash of one of his tokens that is neither expired nor revoked.
    pub async fn user_by_token(
        &self,
        portal: i64,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<User>, sqlx::Error> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM tokens t JOIN users u ON u.portal_id = t.portal_id AND u.id = t.user_id \
             WHERE t.token_hash = $2 AND t.portal_id = $1 AND t.revoked_at IS NULL AND t.expires_at > $3 \
             AND u.removed = 0"
        );
        let row = sqlx::query(&sql)
            .bind(portal)
            .bind(token_hash)
            .bind(to_ticks(now))
            .fetch_optional(&self.pool)
            .await?;
        self.with_contacts(portal, row).await
    }

    /// Live users by id, with their contacts, in two statements whatever their number; ids
    /// without a live user are left out.
    pub async fn users_by_ids(&self, portal: i64, ids: &[Uuid]) -> Result<Vec<User>, sqlx::Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = json_array(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>());
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.portal_id = $1 AND u.removed = 0 AND u.id IN {}",
            self.json_texts(2)
        );
        let rows = sqlx::query(&sql)
            .bind(portal)
            .bind(&ids)
            .fetch_all(&self.pool)
            .await?;
        let mut users = rows
            .iter()
            .map(user_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_contacts(portal, &mut users, Some(&ids)).await?;
        Ok(users)
    }

    /// Fills in the contacts of `users` with one statement; `ids` is their JSON id list, or
    /// `None` to read every user's contacts of the portal (for whole-portal lists).
    async fn attach_contacts(
        &self,
        portal: i64,
        users: &mut [User],
        ids: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let sql = match ids {
            Some(_) => format!(
                "SELECT user_id, type, value FROM user_contacts WHERE portal_id = $1 AND user_id IN {} ORDER BY user_id, position",
                self.json_texts(2)
            ),
            None => "SELECT user_id, type, value FROM user_contacts WHERE portal_id = $1 ORDER BY user_id, position".to_string(),
        };
        let mut query = sqlx::query(&sql).bind(portal);
        if let Some(ids) = ids {
            query = query.bind(ids);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut by_user: std::collections::HashMap<String, Vec<UserContact>> =
            std::collections::HashMap::new();
        for row in &rows {
            by_user
                .entry(row.try_get("user_id")?)
                .or_default()
                .push(UserContact {
                    kind: row.try_get("type")?,
                    value: row.try_get("value")?,
                });
        }
        for user in users {
            user.contacts = by_user.remove(&user.id.to_string()).unwrap_or_default();
        }
        Ok(())
    }

    async fn with_contacts(
        &self,
        portal: i64,
        row: Option<AnyRow>,
    ) -> Result<Option<User>, sqlx::Error> {
        let Some(row) = row else { return Ok(None) };
        let mut users = [user_from_row(&row)?];
        let ids = json_array(&[users[0].id.to_string()]);
        self.attach_contacts(portal, &mut users, Some(&ids)).await?;
        let [user] = users;
        Ok(Some(user))
    }

    /// Whether a live user already has this user name (case-insensitive).
    pub async fn user_name_taken(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        user_name: &str,
    ) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE portal_id = $1 AND user_name_key = $2 AND removed = 0")
            .bind(portal)
            .bind(user_name.to_lowercase())
            .fetch_one(conn)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    /// Whether a live user already has this email (case-insensitive).
    pub async fn email_taken(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        email: &str,
    ) -> Result<bool, sqlx::Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE portal_id = $1 AND email_key = $2 AND removed = 0")
            .bind(portal)
            .bind(email.to_lowercase())
            .fetch_one(conn)
            .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    pub async fn insert_user(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        user: &NewUser,
    ) -> Result<(), sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        sqlx::query(
            "INSERT INTO users (portal_id, id, user_name, user_name_key, email, email_key, first_name, \
             last_name, status, activation_status, is_visitor, password_hash, work_from, created_at, last_modified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $11, $12, $12, $12)",
        )
        .bind(portal)
        .bind(user.id.to_string())
        .bind(&user.user_name)
        .bind(user.user_name.to_lowercase())
        .bind(&user.email)
        .bind(user.email.to_lowercase())
        .bind(&user.first_name)
        .bind(&user.last_name)
        .bind(user.activation_status)
        .bind(i64::from(user.is_visitor))
        .bind(&user.password_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        self.replace_contacts(conn, portal, user.id, &user.contacts)
            .await
    }

    /// Replaces a user's contact list with `contacts`, in their order.
    pub async fn replace_contacts(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        user: Uuid,
        contacts: &[UserContact],
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM user_contacts WHERE portal_id = $1 AND user_id = $2")
            .bind(portal)
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
        for (position, contact) in contacts.iter().enumerate() {
            sqlx::query("INSERT INTO user_contacts (portal_id, user_id, position, type, value) VALUES ($1, $2, $3, $4, $5)")
                .bind(portal)
                .bind(user.to_string())
                .bind(position as i64)
                .bind(&contact.kind)
                .bind(&contact.value)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    pub async fn set_admin(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        user: Uuid,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO admins (portal_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(portal)
        .bind(user.to_string())
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Sets a user's password hash; false when no live user has that id.
    pub async fn set_password_hash(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        user: Uuid,
        hash: &str,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE users SET password_hash = $3, last_modified = $4 WHERE portal_id = $1 AND id = $2 AND removed = 0",
        )
        .bind(portal)
        .bind(user.to_string())
        .bind(hash)
        .bind(to_ticks(chrono::Utc::now()))
        .execute(conn)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The id of a live user by user name or email, inside a transaction.
    pub async fn user_id_by_login(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        login: &str,
    ) -> Result<Option<Uuid>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id FROM users WHERE portal_id = $1 AND removed = 0 AND (email_key = $2 OR user_name_key = $2) \
             ORDER BY CASE WHEN email_key = $2 THEN 0 ELSE 1 END LIMIT 1",
        )
        .bind(portal)
        .bind(login.to_lowercase())
        .fetch_optional(conn)
        .await?;
        row.map(|row| {
            let id: String = row.try_get("id")?;
            Uuid::parse_str(&id).map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .transpose()
    }
}

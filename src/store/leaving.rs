//! What a leaving user leaves: handing his projects and CRM contacts over to another user, or
//! removing his places. Each statement is idempotent, so a step may run again after a crash.

use super::{args, to_ticks, Arg, Conn, Store};
use crate::model::ids::{PortalId, UserId};

/// The statuses of projects whose leadership is handed over: open and paused.
const LIVE_PROJECTS: &str = "(0, 2)";

impl Store {
    /// Runs statements in turn, each binding the portal as `$1` and its users as `$2`, `$3`
    /// (exactly the parameters it uses: PostgreSQL keeps one prepared statement per text).
    async fn run_all(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        statements: &[(&str, &[UserId])],
    ) -> Result<(), sqlx::Error> {
        for (sql, users) in statements {
            let mut args = args![portal.0];
            for user in *users {
                args.push(Arg::Text(user.to_string()));
            }
            conn.execute(sql, &args).await?;
        }
        Ok(())
    }

    /// `to` takes `from`'s place in every project team he is not in yet; `from` leaves them.
    pub async fn hand_over_team_places(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        from: UserId,
        to: UserId,
    ) -> Result<(), sqlx::Error> {
        self.run_all(
            conn,
            portal,
            &[
                (
                    // A place keeps its restrictions; a member who had left the team comes
                    // back with them, one still in it keeps his own.
                    "INSERT INTO project_members (portal_id, project_id, user_id, security, removed) \
                     SELECT portal_id, project_id, $3, security, 0 FROM project_members \
                     WHERE portal_id = $1 AND user_id = $2 AND removed = 0 \
                     ON CONFLICT (portal_id, project_id, user_id) DO UPDATE SET security = excluded.security, removed = 0 \
                     WHERE project_members.removed <> 0",
                    &[from, to],
                ),
                ("DELETE FROM project_members WHERE portal_id = $1 AND user_id = $2", &[from]),
            ],
        )
        .await
    }

    /// Open and paused projects `from` leads get `to` as their responsible, who joins their
    /// teams (closed ones keep their history, as the original's do).
    pub async fn hand_over_project_leadership(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        from: UserId,
        to: UserId,
    ) -> Result<(), sqlx::Error> {
        let lead = format!(
            "UPDATE projects SET responsible_id = $3, last_modified = $4 \
             WHERE portal_id = $1 AND responsible_id = $2 AND status IN {LIVE_PROJECTS}"
        );
        let join = format!(
            "INSERT INTO project_members (portal_id, project_id, user_id) \
             SELECT portal_id, id, $2 FROM projects \
             WHERE portal_id = $1 AND responsible_id = $2 AND status IN {LIVE_PROJECTS} \
             ON CONFLICT DO NOTHING"
        );
        conn.execute(&lead, &args![portal.0, from.to_string(), to.to_string(), to_ticks(chrono::Utc::now())]).await?;
        self.run_all(conn, portal, &[(&join, &[to])]).await
    }

    /// `to` takes `from`'s place on every contact's manager list.
    pub async fn hand_over_contact_managers(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        from: UserId,
        to: UserId,
    ) -> Result<(), sqlx::Error> {
        self.run_all(
            conn,
            portal,
            &[
                (
                    "INSERT INTO crm_contact_managers (portal_id, contact_id, user_id) \
                     SELECT portal_id, contact_id, $3 FROM crm_contact_managers \
                     WHERE portal_id = $1 AND user_id = $2 ON CONFLICT DO NOTHING",
                    &[from, to],
                ),
                ("DELETE FROM crm_contact_managers WHERE portal_id = $1 AND user_id = $2", &[from]),
            ],
        )
        .await
    }

    /// The contacts `from` created show `to` as their creator.
    pub async fn hand_over_created_contacts(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        from: UserId,
        to: UserId,
    ) -> Result<(), sqlx::Error> {
        self.run_all(
            conn,
            portal,
            &[("UPDATE crm_contacts SET created_by = $3 WHERE portal_id = $1 AND created_by = $2", &[from, to])],
        )
        .await
    }

    /// `user` leaves every contact's manager list.
    pub async fn remove_contact_manager_places(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
    ) -> Result<(), sqlx::Error> {
        self.run_all(
            conn,
            portal,
            &[("DELETE FROM crm_contact_managers WHERE portal_id = $1 AND user_id = $2", &[user])],
        )
        .await
    }

    /// `user` leaves every project team but those of the projects he leads (a project keeps
    /// its responsible in its team; leadership is handed over by a reassignment).
    pub async fn remove_team_places(&self, conn: Conn<'_>, portal: PortalId, user: UserId) -> Result<(), sqlx::Error> {
        self.run_all(
            conn,
            portal,
            &[(
                "DELETE FROM project_members WHERE portal_id = $1 AND user_id = $2 \
                 AND project_id NOT IN (SELECT id FROM projects WHERE portal_id = $1 AND responsible_id = $2)",
                &[user],
            )],
        )
        .await
    }

    /// A deleted user's profile contact list, tokens and photo go (a live profile keeps them).
    pub async fn remove_deleted_profile_data(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        user: UserId,
    ) -> Result<(), sqlx::Error> {
        let deleted = "EXISTS (SELECT 1 FROM users WHERE portal_id = $1 AND id = $2 AND removed = 1)";
        let contacts = format!("DELETE FROM user_contacts WHERE portal_id = $1 AND user_id = $2 AND {deleted}");
        let tokens = format!("DELETE FROM tokens WHERE portal_id = $1 AND user_id = $2 AND {deleted}");
        let photos = format!("DELETE FROM user_photos WHERE portal_id = $1 AND user_id = $2 AND {deleted}");
        let photo_columns = "UPDATE users SET photo_format = NULL, photo_version = NULL \
                             WHERE portal_id = $1 AND id = $2 AND removed = 1";
        let statements: [(&str, &[UserId]); 4] =
            [(&contacts, &[user]), (&tokens, &[user]), (&photos, &[user]), (photo_columns, &[user])];
        self.run_all(conn, portal, &statements).await
    }
}

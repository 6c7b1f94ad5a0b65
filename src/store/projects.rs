//! Projects, their teams and tags.

use std::collections::HashMap;

use crate::model::ids::{PortalId, ProjectId, UserId};
use sqlx::Row;

use super::{args, from_ticks, json_array, parse_uuid, to_ticks, Arg, Columns, Conn, RowLock, Store};
use crate::model::projects::{Member, NewProject, Project, ProjectChanges};

const PROJECT_COLUMNS: &str = "id, title, description, status, responsible_id, is_private, created_at, created_by, last_modified, last_modified_by";

fn user_id<R: Columns + ?Sized>(row: &R, column: &str) -> Result<UserId, sqlx::Error> {
    Ok(UserId(parse_uuid(&row.text(column)?)?))
}

fn project_from_row<R: Columns + ?Sized>(row: &R) -> Result<Project, sqlx::Error> {
    Ok(Project {
        id: ProjectId(row.int("id")?),
        title: row.text("title")?,
        description: row.opt_text("description")?,
        status: row.int("status")?,
        responsible: user_id(row, "responsible_id")?,
        is_private: row.int("is_private")? != 0,
        created_at: from_ticks(row.int("created_at")?),
        created_by: user_id(row, "created_by")?,
        last_modified: from_ticks(row.int("last_modified")?),
        last_modified_by: user_id(row, "last_modified_by")?,
        team: Vec::new(),
        restrictions: Vec::new(),
        tags: Vec::new(),
    })
}

impl Store {
    /// Every project of the portal by title, with teams and tags, in three statements.
    pub async fn projects(&self, portal: PortalId) -> Result<Vec<Project>, sqlx::Error> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE portal_id = $1 ORDER BY title, id");
        let rows = sqlx::query(&sql).bind(portal.0).fetch_all(self.pool()).await?;
        let mut projects = rows.iter().map(project_from_row).collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.pool().acquire().await?;
        self.attach_team_and_tags(Conn::Pooled(&mut conn), portal, &mut projects, None).await?;
        Ok(projects)
    }

    /// A project by id (the integration tests call it with plain numbers).
    pub async fn project(
        &self,
        portal: impl Into<PortalId>,
        id: impl Into<ProjectId>,
    ) -> Result<Option<Project>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.project_in(Conn::Pooled(&mut conn), portal.into(), id.into(), None).await
    }

    /// A project read inside a write transaction after taking its row lock (PostgreSQL; SQLite
    /// writers already run one at a time), so the write decides on the project as it is.
    pub async fn lock_project(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
    ) -> Result<Option<Project>, sqlx::Error> {
        self.project_in(conn, portal, id, Some(RowLock::Update)).await
    }

    async fn project_in(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        lock: Option<RowLock>,
    ) -> Result<Option<Project>, sqlx::Error> {
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE portal_id = $1 AND id = $2{}",
            self.lock_clause(lock)
        );
        let mut projects = conn.rows(&sql, &args![portal.0, id.0], |row| project_from_row(row)).await?;
        if projects.is_empty() {
            return Ok(None);
        }
        self.attach_team_and_tags(conn, portal, &mut projects, Some(id)).await?;
        Ok(projects.pop())
    }

    async fn attach_team_and_tags(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        projects: &mut [Project],
        only: Option<ProjectId>,
    ) -> Result<(), sqlx::Error> {
        let filter = if only.is_some() { " AND project_id = $2" } else { "" };
        let mut teams: HashMap<ProjectId, Vec<(UserId, i64)>> = HashMap::new();
        let sql = format!(
            "SELECT project_id, user_id, security FROM project_members WHERE portal_id = $1{filter} AND removed = 0 \
             ORDER BY user_id"
        );
        let mut args = args![portal.0];
        if let Some(id) = only {
            args.push(Arg::Int(id.0));
        }
        let members = conn.rows(&sql, &args, |row| {
            Ok((ProjectId(row.int("project_id")?), user_id(row, "user_id")?, row.int("security")?))
        });
        for (project, user, security) in members.await? {
            teams.entry(project).or_default().push((user, security));
        }
        let mut tags: HashMap<ProjectId, Vec<String>> = HashMap::new();
        let sql = format!("SELECT project_id, tag FROM project_tags WHERE portal_id = $1{filter} ORDER BY tag");
        for (project, tag) in
            conn.rows(&sql, &args, |row| Ok((ProjectId(row.int("project_id")?), row.text("tag")?))).await?
        {
            tags.entry(project).or_default().push(tag);
        }
        for project in projects {
            let team = teams.remove(&project.id).unwrap_or_default();
            project.restrictions = team.iter().filter(|(_, security)| *security != 0).copied().collect();
            project.team = team.into_iter().map(|(user, _)| user).collect();
            project.tags = tags.remove(&project.id).unwrap_or_default();
        }
        Ok(())
    }

    /// Inserts a project with its team and tags; returns its id.
    pub async fn insert_project(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        project: &NewProject,
        by: UserId,
    ) -> Result<ProjectId, sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let sql = "INSERT INTO projects (portal_id, title, description, status, status_changed, responsible_id, \
                   is_private, created_at, created_by, last_modified, last_modified_by) \
                   VALUES ($1, $2, $3, 0, $4, $5, $6, $4, $7, $4, $7) RETURNING id";
        let args = args![
            portal.0,
            project.title.clone(),
            project.description.clone(),
            now,
            project.responsible.to_string(),
            i64::from(project.is_private),
            by.to_string()
        ];
        let id = ProjectId(conn.one(sql, &args, |row| row.int("id")).await?);
        self.add_members(conn.re(), portal, id, &project.team).await?;
        self.set_member_security(conn.re(), portal, id, &project.restrictions).await?;
        self.replace_tags(conn, portal, id, &project.tags).await?;
        Ok(id)
    }

    /// Writes what an update sends: the columns it names and its tags when given (the domain
    /// changes the team).
    pub async fn update_project(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        changes: &ProjectChanges,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let sql = "UPDATE projects SET title = COALESCE($3, title), description = COALESCE($4, description), \
                   status = COALESCE($5, status), \
                   status_changed = CASE WHEN $5 IS NULL THEN status_changed ELSE $6 END, \
                   responsible_id = COALESCE($7, responsible_id), is_private = COALESCE($8, is_private), \
                   last_modified = $6, last_modified_by = $9 WHERE portal_id = $1 AND id = $2";
        let args = args![
            portal.0,
            id.0,
            changes.title.clone(),
            changes.description.clone(),
            changes.status,
            now,
            changes.responsible.map(|r| r.to_string()),
            changes.is_private.map(i64::from),
            by.to_string()
        ];
        conn.execute(sql, &args).await?;
        if let Some(tags) = &changes.tags {
            self.replace_tags(conn, portal, id, tags).await?;
        }
        Ok(())
    }

    /// Adds the live users among `users` to the team, as the original's AddToTeam: a member
    /// who had left comes back, and whoever is added starts with no restrictions.
    pub async fn add_members(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        self.over_users(
            conn,
            "INSERT INTO project_members (portal_id, project_id, user_id, security, removed) \
             SELECT DISTINCT $1, $2, u.id, 0, 0 FROM users u WHERE u.portal_id = $1 AND u.removed = 0 AND u.id IN {users} \
             ON CONFLICT (portal_id, project_id, user_id) DO UPDATE SET security = 0, removed = 0",
            portal,
            id,
            users,
        )
        .await
    }

    /// Marks members as having left the team (`teamExcluded` still lists them).
    pub async fn remove_members(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        self.over_users(
            conn,
            "UPDATE project_members SET removed = 1 WHERE portal_id = $1 AND project_id = $2 AND user_id IN {users}",
            portal,
            id,
            users,
        )
        .await
    }

    /// Sets the restrictions (ProjectTeamSecurity flags) of each listed active member.
    pub async fn set_member_security(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        members: &[(UserId, i64)],
    ) -> Result<(), sqlx::Error> {
        for (user, security) in members {
            let sql = "UPDATE project_members SET security = $4 WHERE portal_id = $1 AND project_id = $2 \
                       AND user_id = $3 AND removed = 0";
            conn.execute(sql, &args![portal.0, id.0, user.to_string(), *security]).await?;
        }
        Ok(())
    }

    /// The team rows of some projects, by project, members who left included when asked.
    pub async fn team_rows(
        &self,
        portal: PortalId,
        projects: &[ProjectId],
        with_removed: bool,
    ) -> Result<Vec<Member>, sqlx::Error> {
        let ids = json_array(&projects.iter().map(|p| p.0).collect::<Vec<_>>());
        let sql = format!(
            "SELECT project_id, user_id, security, removed FROM project_members WHERE portal_id = $1 \
             AND project_id IN {}{} ORDER BY project_id, user_id",
            self.json_ints(2),
            if with_removed { "" } else { " AND removed = 0" }
        );
        let rows = sqlx::query(&sql).bind(portal.0).bind(ids).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|row| {
                Ok(Member {
                    project: ProjectId(row.try_get("project_id")?),
                    user: user_id(row, "user_id")?,
                    security: row.try_get("security")?,
                    removed: row.try_get::<i64, _>("removed")? != 0,
                })
            })
            .collect()
    }

    /// The projects a user follows.
    pub async fn followed_projects(&self, portal: PortalId, user: UserId) -> Result<Vec<ProjectId>, sqlx::Error> {
        let rows = sqlx::query("SELECT project_id FROM project_follows WHERE portal_id = $1 AND user_id = $2")
            .bind(portal.0)
            .bind(user.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok(ProjectId(row.try_get("project_id")?))).collect()
    }

    /// Starts or stops following a project; returns whether the user now follows it.
    pub async fn toggle_follow(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        user: UserId,
    ) -> Result<bool, sqlx::Error> {
        let args = args![portal.0, id.0, user.to_string()];
        let sql = "DELETE FROM project_follows WHERE portal_id = $1 AND project_id = $2 AND user_id = $3";
        let stopped = conn.execute(sql, &args).await?;
        if stopped == 0 {
            let sql = "INSERT INTO project_follows (portal_id, project_id, user_id) VALUES ($1, $2, $3)";
            conn.execute(sql, &args).await?;
        }
        Ok(stopped == 0)
    }

    /// Stops users following a project (they joined its team, as the original's UpdateTeam does).
    pub async fn unfollow(
        &self,
        conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        self.over_users(
            conn,
            "DELETE FROM project_follows WHERE portal_id = $1 AND project_id = $2 AND user_id IN {users}",
            portal,
            id,
            users,
        )
        .await
    }

    /// Runs a statement about one project (`$1` its portal, `$2` its id) over a list of users,
    /// which stands where the statement says `{users}`; nothing runs for no users.
    async fn over_users(
        &self,
        mut conn: Conn<'_>,
        statement: &str,
        portal: PortalId,
        id: ProjectId,
        users: &[UserId],
    ) -> Result<(), sqlx::Error> {
        if users.is_empty() {
            return Ok(());
        }
        let users = json_array(&users.iter().map(UserId::to_string).collect::<Vec<_>>());
        let sql = statement.replace("{users}", &self.json_texts(3));
        conn.execute(&sql, &args![portal.0, id.0, users]).await?;
        Ok(())
    }

    /// Every project tag of the portal with its id, by title.
    pub async fn project_tag_names(&self, portal: PortalId) -> Result<Vec<(i64, String)>, sqlx::Error> {
        let rows = sqlx::query("SELECT id, title FROM project_tag_names WHERE portal_id = $1 ORDER BY title")
            .bind(portal.0)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("title")?))).collect()
    }

    pub async fn replace_tags(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        id: ProjectId,
        tags: &[String],
    ) -> Result<(), sqlx::Error> {
        let former = self.drop_tags(conn.re(), portal, id).await?;
        let sql = "INSERT INTO project_tags (portal_id, project_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        for tag in tags {
            conn.execute(sql, &args![portal.0, id.0, tag.clone()]).await?;
            self.insert_tag_name(conn.re(), portal, tag).await?;
        }
        self.purge_tag_names(conn, portal, &former).await
    }

    /// Removes a project's tags; returns them.
    async fn drop_tags(&self, mut conn: Conn<'_>, portal: PortalId, id: ProjectId) -> Result<Vec<String>, sqlx::Error> {
        let sql = "DELETE FROM project_tags WHERE portal_id = $1 AND project_id = $2 RETURNING tag";
        conn.rows(sql, &args![portal.0, id.0], |row| row.text("tag")).await
    }

    /// Gives a tag its id (the `tag` of `project/filter`) if it has none; returns the id.
    pub async fn insert_tag_name(&self, mut conn: Conn<'_>, portal: PortalId, title: &str) -> Result<i64, sqlx::Error> {
        let args = args![portal.0, title];
        conn.execute("INSERT INTO project_tag_names (portal_id, title) VALUES ($1, $2) ON CONFLICT DO NOTHING", &args)
            .await?;
        conn.one("SELECT id FROM project_tag_names WHERE portal_id = $1 AND title = $2", &args, |row| row.int("id"))
            .await
    }

    /// Forgets those of `tags` no project has any more, as the original does after a change of
    /// a project's tags or its deletion (a tag named again later gets a new id).
    async fn purge_tag_names(&self, mut conn: Conn<'_>, portal: PortalId, tags: &[String]) -> Result<(), sqlx::Error> {
        if tags.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "DELETE FROM project_tag_names WHERE portal_id = $1 AND title IN {} AND NOT EXISTS \
             (SELECT 1 FROM project_tags t WHERE t.portal_id = $1 AND t.tag = project_tag_names.title)",
            self.json_texts(2)
        );
        conn.execute(&sql, &args![portal.0, json_array(tags)]).await?;
        Ok(())
    }

    pub async fn delete_project(&self, mut conn: Conn<'_>, portal: PortalId, id: ProjectId) -> Result<(), sqlx::Error> {
        let tags = self.drop_tags(conn.re(), portal, id).await?;
        for sql in [
            "DELETE FROM project_members WHERE portal_id = $1 AND project_id = $2",
            "DELETE FROM project_follows WHERE portal_id = $1 AND project_id = $2",
            "DELETE FROM projects WHERE portal_id = $1 AND id = $2",
        ] {
            conn.execute(sql, &args![portal.0, id.0]).await?;
        }
        self.purge_tag_names(conn, portal, &tags).await
    }
}

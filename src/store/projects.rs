//! Projects, their teams and tags.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{from_ticks, json_array, to_ticks, RowLock, Store};
use crate::model::projects::{NewProject, Project, ProjectChanges};

const PROJECT_COLUMNS: &str = "id, title, description, status, responsible_id, is_private, created_at, created_by, last_modified, last_modified_by";

fn uuid(row: &AnyRow, column: &str) -> Result<Uuid, sqlx::Error> {
    Uuid::parse_str(&row.try_get::<String, _>(column)?).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn project_from_row(row: &AnyRow) -> Result<Project, sqlx::Error> {
    Ok(Project {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        status: row.try_get("status")?,
        responsible: uuid(row, "responsible_id")?,
        is_private: row.try_get::<i64, _>("is_private")? != 0,
        created_at: from_ticks(row.try_get("created_at")?),
        created_by: uuid(row, "created_by")?,
        last_modified: from_ticks(row.try_get("last_modified")?),
        last_modified_by: uuid(row, "last_modified_by")?,
        team: Vec::new(),
        tags: Vec::new(),
    })
}

impl Store {
    /// Every project of the portal by title, with teams and tags, in three statements.
    pub async fn projects(&self, portal: i64) -> Result<Vec<Project>, sqlx::Error> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE portal_id = $1 ORDER BY title, id");
        let rows = sqlx::query(&sql).bind(portal).fetch_all(&self.pool).await?;
        let mut projects = rows.iter().map(project_from_row).collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.pool.acquire().await?;
        self.attach_team_and_tags(&mut conn, portal, &mut projects, None).await?;
        Ok(projects)
    }

    pub async fn project(&self, portal: i64, id: i64) -> Result<Option<Project>, sqlx::Error> {
        let mut conn = self.pool.acquire().await?;
        self.project_in(&mut conn, portal, id, None).await
    }

    /// A project read inside a write transaction after taking its row lock (PostgreSQL; SQLite
    /// writers already run one at a time), so the write decides on the project as it is.
    pub async fn lock_project(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
    ) -> Result<Option<Project>, sqlx::Error> {
        self.project_in(conn, portal, id, Some(RowLock::Update)).await
    }

    async fn project_in(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
        lock: Option<RowLock>,
    ) -> Result<Option<Project>, sqlx::Error> {
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE portal_id = $1 AND id = $2{}",
            self.lock_clause(lock)
        );
        let Some(row) = sqlx::query(&sql).bind(portal).bind(id).fetch_optional(&mut *conn).await? else {
            return Ok(None);
        };
        let mut projects = vec![project_from_row(&row)?];
        self.attach_team_and_tags(conn, portal, &mut projects, Some(id)).await?;
        Ok(projects.pop())
    }

    async fn attach_team_and_tags(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        projects: &mut [Project],
        only: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        let filter = if only.is_some() { " AND project_id = $2" } else { "" };
        let mut teams: HashMap<i64, Vec<Uuid>> = HashMap::new();
        let sql =
            format!("SELECT project_id, user_id FROM project_members WHERE portal_id = $1{filter} ORDER BY user_id");
        let mut query = sqlx::query(&sql).bind(portal);
        if let Some(id) = only {
            query = query.bind(id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            teams.entry(row.try_get("project_id")?).or_default().push(uuid(&row, "user_id")?);
        }
        let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
        let sql = format!("SELECT project_id, tag FROM project_tags WHERE portal_id = $1{filter} ORDER BY tag");
        let mut query = sqlx::query(&sql).bind(portal);
        if let Some(id) = only {
            query = query.bind(id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            tags.entry(row.try_get("project_id")?).or_default().push(row.try_get("tag")?);
        }
        for project in projects {
            project.team = teams.remove(&project.id).unwrap_or_default();
            project.tags = tags.remove(&project.id).unwrap_or_default();
        }
        Ok(())
    }

    /// Inserts a project with its team and tags; returns its id.
    pub async fn insert_project(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        project: &NewProject,
        by: Uuid,
    ) -> Result<i64, sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        let row = sqlx::query(
            "INSERT INTO projects (portal_id, title, description, status, status_changed, responsible_id, is_private, \
             created_at, created_by, last_modified, last_modified_by) VALUES ($1, $2, $3, 0, $4, $5, $6, $4, $7, $4, $7) RETURNING id",
        )
        .bind(portal)
        .bind(&project.title)
        .bind(project.description.clone())
        .bind(now)
        .bind(project.responsible.to_string())
        .bind(i64::from(project.is_private))
        .bind(by.to_string())
        .fetch_one(&mut *conn)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.replace_team(conn, portal, id, &project.team).await?;
        self.replace_tags(conn, portal, id, &project.tags).await?;
        Ok(id)
    }

    /// Writes what an update sends: the columns it names, its team and its tags when given. A
    /// new responsible joins the team when the team is not replaced.
    pub async fn update_project(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
        changes: &ProjectChanges,
        by: Uuid,
    ) -> Result<(), sqlx::Error> {
        let now = to_ticks(chrono::Utc::now());
        sqlx::query(
            "UPDATE projects SET title = COALESCE($3, title), description = COALESCE($4, description), \
             status = COALESCE($5, status), status_changed = CASE WHEN $5 IS NULL THEN status_changed ELSE $6 END, \
             responsible_id = COALESCE($7, responsible_id), is_private = COALESCE($8, is_private), \
             last_modified = $6, last_modified_by = $9 WHERE portal_id = $1 AND id = $2",
        )
        .bind(portal)
        .bind(id)
        .bind(changes.title.clone())
        .bind(changes.description.clone())
        .bind(changes.status)
        .bind(now)
        .bind(changes.responsible.map(|r| r.to_string()))
        .bind(changes.is_private.map(i64::from))
        .bind(by.to_string())
        .execute(&mut *conn)
        .await?;
        match (&changes.team, changes.responsible) {
            (Some(team), _) => self.replace_team(conn, portal, id, team).await?,
            (None, Some(responsible)) => self.add_members(conn, portal, id, &[responsible]).await?,
            (None, None) => {}
        }
        if let Some(tags) = &changes.tags {
            self.replace_tags(conn, portal, id, tags).await?;
        }
        Ok(())
    }

    async fn replace_team(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
        team: &[Uuid],
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM project_members WHERE portal_id = $1 AND project_id = $2")
            .bind(portal)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        self.add_members(conn, portal, id, team).await
    }

    /// Adds the live users among `users` to the team (those already in it stay once).
    async fn add_members(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
        users: &[Uuid],
    ) -> Result<(), sqlx::Error> {
        let members = json_array(&users.iter().map(Uuid::to_string).collect::<Vec<_>>());
        let sql = format!(
            "INSERT INTO project_members (portal_id, project_id, user_id) SELECT DISTINCT $1, $2, u.id FROM users u \
             WHERE u.portal_id = $1 AND u.removed = 0 AND u.id IN {} ON CONFLICT DO NOTHING",
            self.json_texts(3)
        );
        sqlx::query(&sql).bind(portal).bind(id).bind(members).execute(&mut *conn).await?;
        Ok(())
    }

    async fn replace_tags(
        &self,
        conn: &mut AnyConnection,
        portal: i64,
        id: i64,
        tags: &[String],
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM project_tags WHERE portal_id = $1 AND project_id = $2")
            .bind(portal)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for tag in tags {
            sqlx::query(
                "INSERT INTO project_tags (portal_id, project_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(portal)
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    pub async fn delete_project(&self, conn: &mut AnyConnection, portal: i64, id: i64) -> Result<(), sqlx::Error> {
        for sql in [
            "DELETE FROM project_members WHERE portal_id = $1 AND project_id = $2",
            "DELETE FROM project_tags WHERE portal_id = $1 AND project_id = $2",
            "DELETE FROM projects WHERE portal_id = $1 AND id = $2",
        ] {
            sqlx::query(sql).bind(portal).bind(id).execute(&mut *conn).await?;
        }
        Ok(())
    }
}

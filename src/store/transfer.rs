//! Files of the contact import and export routes (see
//! `migrations/*/0016_contact_transfer_files.sql`): written in chunks, read back in order.

use sqlx::{AnyConnection, Row};

use super::{to_ticks, Store};
use crate::model::ids::{PortalId, UserId};

/// A stored file.
#[derive(Debug, Clone)]
pub struct TransferFile {
    pub id: i64,
    pub name: String,
    pub created_by: UserId,
    pub report: Option<String>,
}

impl Store {
    /// Creates an empty file named `name`, replacing one of that name.
    pub async fn create_transfer_file(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        name: &str,
        by: UserId,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query("DELETE FROM crm_transfer_files WHERE portal_id = $1 AND name = $2")
            .bind(portal.0)
            .bind(name)
            .execute(&mut *conn)
            .await?;
        let row = sqlx::query(
            "INSERT INTO crm_transfer_files (portal_id, name, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(portal.0)
        .bind(name)
        .bind(by.to_string())
        .bind(to_ticks(chrono::Utc::now()))
        .fetch_one(conn)
        .await?;
        row.try_get("id")
    }

    /// The file named `name`, as `conn` sees it.
    pub async fn transfer_file<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
        &self,
        conn: E,
        portal: PortalId,
        name: &str,
    ) -> Result<Option<TransferFile>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT id, name, created_by, report FROM crm_transfer_files WHERE portal_id = $1 AND name = $2",
        )
        .bind(portal.0)
        .bind(name)
        .fetch_optional(conn)
        .await?;
        row.map(|row| {
            Ok(TransferFile {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                created_by: UserId(super::parse_uuid(&row.try_get::<String, _>("created_by")?)?),
                report: row.try_get("report")?,
            })
        })
        .transpose()
    }

    /// As [`Store::transfer_file`], outside a transaction.
    pub async fn transfer_file_of(&self, portal: PortalId, name: &str) -> Result<Option<TransferFile>, sqlx::Error> {
        self.transfer_file(self.pool(), portal, name).await
    }

    /// Appends a chunk; `last_id` is the last contact an export chunk holds.
    pub async fn append_transfer_chunk(
        &self,
        conn: &mut AnyConnection,
        file: i64,
        last_id: i64,
        data: &[u8],
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO crm_transfer_chunks (file_id, seq, last_id, data) \
             SELECT $1, COALESCE(MAX(seq), -1) + 1, $2, $3 FROM crm_transfer_chunks WHERE file_id = $1",
        )
        .bind(file)
        .bind(last_id)
        .bind(data.to_vec())
        .execute(conn)
        .await?;
        Ok(())
    }

    /// The last contact id of a file's last chunk (0 when it has none).
    pub async fn transfer_last_id(&self, conn: &mut AnyConnection, file: i64) -> Result<i64, sqlx::Error> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(last_id), 0) AS last_id FROM crm_transfer_chunks WHERE file_id = $1")
                .bind(file)
                .fetch_one(conn)
                .await?;
        row.try_get("last_id")
    }

    /// Chunk `seq` of a file, if it has one (a download reads them one at a time).
    pub async fn transfer_chunk(&self, file: i64, seq: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
        let row = sqlx::query("SELECT data FROM crm_transfer_chunks WHERE file_id = $1 AND seq = $2")
            .bind(file)
            .bind(seq)
            .fetch_optional(self.pool())
            .await?;
        row.map(|row| row.try_get("data")).transpose()
    }

    /// The whole of a small file (an upload), inside a transaction.
    pub async fn transfer_bytes(&self, conn: &mut AnyConnection, file: i64) -> Result<Vec<u8>, sqlx::Error> {
        let rows = sqlx::query("SELECT data FROM crm_transfer_chunks WHERE file_id = $1 ORDER BY seq")
            .bind(file)
            .fetch_all(conn)
            .await?;
        let mut bytes = Vec::new();
        for row in rows {
            bytes.extend(row.try_get::<Vec<u8>, _>("data")?);
        }
        Ok(bytes)
    }

    /// Records an import's outcome on its file.
    pub async fn set_transfer_report(
        &self,
        conn: &mut AnyConnection,
        file: i64,
        report: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE crm_transfer_files SET report = $2 WHERE id = $1")
            .bind(file)
            .bind(report)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Drops a file's content (an imported upload), keeping its row and report.
    pub async fn delete_transfer_chunks(&self, conn: &mut AnyConnection, file: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM crm_transfer_chunks WHERE file_id = $1").bind(file).execute(conn).await?;
        Ok(())
    }

    /// Deletes a user's files whose names start with `prefix` (his earlier exports).
    pub async fn delete_transfer_files(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        prefix: &str,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "DELETE FROM crm_transfer_chunks WHERE file_id IN (SELECT id FROM crm_transfer_files \
             WHERE portal_id = $1 AND created_by = $2 AND substr(name, 1, length($3)) = $3)",
        )
        .bind(portal.0)
        .bind(by.to_string())
        .bind(prefix)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "DELETE FROM crm_transfer_files WHERE portal_id = $1 AND created_by = $2 AND substr(name, 1, length($3)) = $3",
        )
        .bind(portal.0)
        .bind(by.to_string())
        .bind(prefix)
        .execute(conn)
        .await?;
        Ok(())
    }
}

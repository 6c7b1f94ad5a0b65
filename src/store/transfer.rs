//! Files of the contact import and export routes (see
//! `migrations/*/0016_contact_transfer_files.sql`): written in chunks, read back in order.

use sqlx::Row;

use super::{args, to_ticks, Conn, Store};
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
        mut conn: Conn<'_>,
        portal: PortalId,
        name: &str,
        by: UserId,
    ) -> Result<i64, sqlx::Error> {
        conn.execute("DELETE FROM crm_transfer_files WHERE portal_id = $1 AND name = $2", &args![portal.0, name])
            .await?;
        let sql = "INSERT INTO crm_transfer_files (portal_id, name, created_by, created_at) VALUES ($1, $2, $3, $4) \
                   RETURNING id";
        let args = args![portal.0, name, by.to_string(), to_ticks(chrono::Utc::now())];
        conn.one(sql, &args, |row| row.int("id")).await
    }

    /// The file named `name`, as `conn` sees it.
    pub async fn transfer_file(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        name: &str,
    ) -> Result<Option<TransferFile>, sqlx::Error> {
        let sql = "SELECT id, name, created_by, report FROM crm_transfer_files WHERE portal_id = $1 AND name = $2";
        let args = args![portal.0, name];
        let files = conn.rows(sql, &args, |row| {
            Ok(TransferFile {
                id: row.int("id")?,
                name: row.text("name")?,
                created_by: UserId(super::parse_uuid(&row.text("created_by")?)?),
                report: row.opt_text("report")?,
            })
        });
        Ok(files.await?.pop())
    }

    /// As [`Store::transfer_file`], outside a transaction.
    pub async fn transfer_file_of(&self, portal: PortalId, name: &str) -> Result<Option<TransferFile>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.transfer_file(Conn::Pooled(&mut conn), portal, name).await
    }

    /// Appends a chunk; `last_id` is the last contact an export chunk holds.
    pub async fn append_transfer_chunk(
        &self,
        mut conn: Conn<'_>,
        file: i64,
        last_id: i64,
        data: &[u8],
    ) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO crm_transfer_chunks (file_id, seq, last_id, data) \
                   SELECT $1, COALESCE(MAX(seq), -1) + 1, $2, $3 FROM crm_transfer_chunks WHERE file_id = $1";
        conn.execute(sql, &args![file, last_id, data.to_vec()]).await?;
        Ok(())
    }

    /// The last contact id of a file's last chunk (0 when it has none).
    pub async fn transfer_last_id(&self, mut conn: Conn<'_>, file: i64) -> Result<i64, sqlx::Error> {
        let sql = "SELECT COALESCE(MAX(last_id), 0) AS last_id FROM crm_transfer_chunks WHERE file_id = $1";
        conn.one(sql, &args![file], |row| row.int("last_id")).await
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
    pub async fn transfer_bytes(&self, mut conn: Conn<'_>, file: i64) -> Result<Vec<u8>, sqlx::Error> {
        let sql = "SELECT data FROM crm_transfer_chunks WHERE file_id = $1 ORDER BY seq";
        Ok(conn.rows(sql, &args![file], |row| row.blob("data")).await?.concat())
    }

    /// As [`Store::transfer_bytes`], outside a transaction (a preview of an upload reads it
    /// without taking the writer's turn from every write meanwhile).
    pub async fn transfer_bytes_of(&self, file: i64) -> Result<Vec<u8>, sqlx::Error> {
        let mut conn = self.pool().acquire().await?;
        self.transfer_bytes(Conn::Pooled(&mut conn), file).await
    }

    /// Records an import's outcome on its file.
    pub async fn set_transfer_report(&self, mut conn: Conn<'_>, file: i64, report: &str) -> Result<(), sqlx::Error> {
        conn.execute("UPDATE crm_transfer_files SET report = $2 WHERE id = $1", &args![file, report]).await?;
        Ok(())
    }

    /// Drops a file's content (an imported upload), keeping its row and report.
    pub async fn delete_transfer_chunks(&self, mut conn: Conn<'_>, file: i64) -> Result<(), sqlx::Error> {
        conn.execute("DELETE FROM crm_transfer_chunks WHERE file_id = $1", &args![file]).await?;
        Ok(())
    }

    /// Deletes a user's files whose names start with `prefix` (his earlier exports).
    pub async fn delete_transfer_files(
        &self,
        mut conn: Conn<'_>,
        portal: PortalId,
        prefix: &str,
        by: UserId,
    ) -> Result<(), sqlx::Error> {
        let args = args![portal.0, by.to_string(), prefix];
        let sql = "DELETE FROM crm_transfer_chunks WHERE file_id IN (SELECT id FROM crm_transfer_files \
                   WHERE portal_id = $1 AND created_by = $2 AND substr(name, 1, length($3)) = $3)";
        conn.execute(sql, &args).await?;
        let sql = "DELETE FROM crm_transfer_files WHERE portal_id = $1 AND created_by = $2 \
                   AND substr(name, 1, length($3)) = $3";
        conn.execute(sql, &args).await?;
        Ok(())
    }
}

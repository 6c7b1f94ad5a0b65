//! The portal's contact totals by kind and share type (migration 0019), which answer the count
//! of an unfiltered contact list.

use crate::store::{Args, Backend, Store};

impl Store {
    /// Folds the rows PostgreSQL's triggers append, one per change, into one row per portal,
    /// kind and share type, so that a count sums a handful of rows. Servers sharing a database
    /// may fold at once: each appended row is deleted, and so added in, by one of them only.
    /// SQLite keeps its totals in place and has nothing to fold.
    pub async fn fold_contact_counts(&self) -> Result<(), sqlx::Error> {
        if let Backend::Sqlite = self.backend {
            return Ok(());
        }
        let sql = "WITH folded AS ( \
                       DELETE FROM crm_contact_counts WHERE portal_id IN ( \
                           SELECT portal_id FROM crm_contact_counts \
                           GROUP BY portal_id, is_company, share_type HAVING COUNT(*) > 1) \
                       RETURNING portal_id, is_company, share_type, n) \
                   INSERT INTO crm_contact_counts (portal_id, is_company, share_type, n) \
                   SELECT portal_id, is_company, share_type, SUM(n) FROM folded \
                   GROUP BY portal_id, is_company, share_type HAVING SUM(n) <> 0";
        // The totals' sums stay as they were: nothing kept between requests needs to go.
        let mut tx = self.begin_write().await?;
        tx.conn().execute(sql, &Args::default()).await?;
        tx.commit_unseen().await
    }
}

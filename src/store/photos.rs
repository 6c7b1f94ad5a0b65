//! Photos of contacts and users: every size of one upload in one write, read one size at a time.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

use super::{to_ticks, Store};
use crate::model::ids::{ContactId, PortalId};
use crate::model::photos::{Photo, PhotoFormat, PhotoImage, PhotoOwner, PhotoStamp, StoredImage};

/// The table of an owner's photos and the condition naming the owner (`$1` portal, `$2` owner).
fn table(owner: PhotoOwner) -> (&'static str, &'static str) {
    match owner {
        PhotoOwner::Contact(_) => ("crm_contact_photos", "portal_id = $1 AND contact_id = $2"),
        PhotoOwner::User(_) => ("user_photos", "portal_id = $1 AND user_id = $2"),
    }
}

fn bind_owner<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    portal: PortalId,
    owner: PhotoOwner,
) -> Query<'q, Any, AnyArguments<'q>> {
    let query = query.bind(portal.0);
    match owner {
        PhotoOwner::Contact(id) => query.bind(id.0),
        PhotoOwner::User(id) => query.bind(id.0.to_string()),
    }
}

fn format_of(text: &str) -> Result<PhotoFormat, sqlx::Error> {
    PhotoFormat::from_extension(text)
        .ok_or_else(|| sqlx::Error::Decode(format!("unknown photo format {text:?}").into()))
}

impl Store {
    /// Replaces the owner's photo with `photo` (every size), or removes it (`None`). A user's
    /// row says which photo he has, so it changes in the same write.
    pub async fn replace_photo(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        owner: PhotoOwner,
        photo: Option<&Photo>,
    ) -> Result<(), sqlx::Error> {
        let (table, owner_is) = table(owner);
        bind_owner(sqlx::query(&format!("DELETE FROM {table} WHERE {owner_is}")), portal, owner)
            .execute(&mut *conn)
            .await?;
        let key_column = match owner {
            PhotoOwner::Contact(_) => "contact_id",
            PhotoOwner::User(_) => "user_id",
        };
        if let Some(photo) = photo {
            let sql = format!(
                "INSERT INTO {table} (portal_id, {key_column}, size, width, height, format, version, data) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            );
            for image in &photo.images {
                bind_owner(sqlx::query(&sql), portal, owner)
                    .bind(i64::from(image.size))
                    .bind(i64::from(image.width))
                    .bind(i64::from(image.height))
                    .bind(photo.format.extension())
                    .bind(photo.version)
                    .bind(image.data.clone())
                    .execute(&mut *conn)
                    .await?;
            }
        }
        if let PhotoOwner::User(user) = owner {
            sqlx::query(
                "UPDATE users SET photo_format = $3, photo_version = $4, last_modified = $5 \
                 WHERE portal_id = $1 AND id = $2",
            )
            .bind(portal.0)
            .bind(user.0.to_string())
            .bind(photo.map(|p| p.format.extension()))
            .bind(photo.map(|p| p.version))
            .bind(to_ticks(chrono::Utc::now()))
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// One size of the owner's photo (size 0: a user's picture itself).
    pub async fn photo_image(
        &self,
        portal: PortalId,
        owner: PhotoOwner,
        size: u32,
    ) -> Result<Option<StoredImage>, sqlx::Error> {
        let (table, owner_is) = table(owner);
        let sql = format!("SELECT format, version, data FROM {table} WHERE {owner_is} AND size = $3");
        let row =
            bind_owner(sqlx::query(&sql), portal, owner).bind(i64::from(size)).fetch_optional(self.pool()).await?;
        row.map(|row| {
            Ok(StoredImage {
                stamp: PhotoStamp {
                    format: format_of(&row.try_get::<String, _>("format")?)?,
                    version: row.try_get("version")?,
                },
                data: row.try_get("data")?,
            })
        })
        .transpose()
    }

    /// One size of the photos of many contacts, in one statement (an export's page).
    pub async fn contact_photos(
        &self,
        portal: PortalId,
        contacts: &[ContactId],
        size: u32,
    ) -> Result<Vec<(ContactId, Vec<u8>)>, sqlx::Error> {
        if contacts.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT contact_id, data FROM crm_contact_photos WHERE portal_id = $1 AND size = $2 AND contact_id IN {}",
            self.json_ints(3)
        );
        let rows = sqlx::query(&sql)
            .bind(portal.0)
            .bind(i64::from(size))
            .bind(super::json_array(contacts))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|row| Ok((ContactId(row.try_get("contact_id")?), row.try_get("data")?))).collect()
    }

    /// Which photo the owner has, if any, without its images.
    pub async fn photo_stamp(&self, portal: PortalId, owner: PhotoOwner) -> Result<Option<PhotoStamp>, sqlx::Error> {
        let (table, owner_is) = table(owner);
        let sql = format!("SELECT format, version FROM {table} WHERE {owner_is} LIMIT 1");
        let row = bind_owner(sqlx::query(&sql), portal, owner).fetch_optional(self.pool()).await?;
        row.map(|row| {
            Ok(PhotoStamp {
                format: format_of(&row.try_get::<String, _>("format")?)?,
                version: row.try_get("version")?,
            })
        })
        .transpose()
    }

    /// Every image of the owner's photo, by size, as the caller's transaction sees them.
    pub async fn photo(
        &self,
        conn: &mut AnyConnection,
        portal: PortalId,
        owner: PhotoOwner,
    ) -> Result<Option<Photo>, sqlx::Error> {
        let (table, owner_is) = table(owner);
        let sql =
            format!("SELECT size, width, height, format, version, data FROM {table} WHERE {owner_is} ORDER BY size");
        let rows = bind_owner(sqlx::query(&sql), portal, owner).fetch_all(conn).await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let format = format_of(&first.try_get::<String, _>("format")?)?;
        let version = first.try_get("version")?;
        let images = rows
            .iter()
            .map(|row| {
                Ok(PhotoImage {
                    size: row.try_get::<i64, _>("size")? as u32,
                    width: row.try_get::<i64, _>("width")? as u32,
                    height: row.try_get::<i64, _>("height")? as u32,
                    data: row.try_get("data")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(Photo { format, version, images }))
    }
}

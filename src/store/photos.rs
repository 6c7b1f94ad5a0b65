//! Photos of contacts and users: every size of one upload in one write, read one size at a time.

use sqlx::Row;

use super::{args, to_ticks, Arg, Args, Conn, Store};
use crate::model::ids::{ContactId, PortalId};
use crate::model::photos::{Photo, PhotoFormat, PhotoImage, PhotoOwner, PhotoStamp, StoredImage};

/// The table of an owner's photos and the condition naming the owner (`$1` portal, `$2` owner).
fn table(owner: PhotoOwner) -> (&'static str, &'static str) {
    match owner {
        PhotoOwner::Contact(_) => ("crm_contact_photos", "portal_id = $1 AND contact_id = $2"),
        PhotoOwner::User(_) => ("user_photos", "portal_id = $1 AND user_id = $2"),
    }
}

/// `$1` and `$2` of [`table`]'s condition.
fn owner_args(portal: PortalId, owner: PhotoOwner) -> Args {
    match owner {
        PhotoOwner::Contact(id) => args![portal.0, id.0],
        PhotoOwner::User(id) => args![portal.0, id.0.to_string()],
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
        mut conn: Conn<'_>,
        portal: PortalId,
        owner: PhotoOwner,
        photo: Option<&Photo>,
    ) -> Result<(), sqlx::Error> {
        let (table, owner_is) = table(owner);
        conn.execute(&format!("DELETE FROM {table} WHERE {owner_is}"), &owner_args(portal, owner)).await?;
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
                let mut args = owner_args(portal, owner);
                for value in [
                    Arg::Int(i64::from(image.size)),
                    Arg::Int(i64::from(image.width)),
                    Arg::Int(i64::from(image.height)),
                    Arg::from(photo.format.extension()),
                    Arg::Int(photo.version),
                    Arg::Blob(image.data.clone()),
                ] {
                    args.push(value);
                }
                conn.execute(&sql, &args).await?;
            }
        }
        if let PhotoOwner::User(user) = owner {
            let sql = "UPDATE users SET photo_format = $3, photo_version = $4, last_modified = $5 \
                       WHERE portal_id = $1 AND id = $2";
            let args = args![
                portal.0,
                user.0.to_string(),
                photo.map(|p| p.format.extension().to_string()),
                photo.map(|p| p.version),
                to_ticks(chrono::Utc::now())
            ];
            conn.execute(sql, &args).await?;
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
        let mut args = owner_args(portal, owner);
        args.push(Arg::Int(i64::from(size)));
        let row = args.bind(sqlx::query(&sql)).fetch_optional(self.pool()).await?;
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
        let row = owner_args(portal, owner).bind(sqlx::query(&sql)).fetch_optional(self.pool()).await?;
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
        mut conn: Conn<'_>,
        portal: PortalId,
        owner: PhotoOwner,
    ) -> Result<Option<Photo>, sqlx::Error> {
        let (table, owner_is) = table(owner);
        let sql =
            format!("SELECT size, width, height, format, version, data FROM {table} WHERE {owner_is} ORDER BY size");
        let rows = conn
            .rows(&sql, &owner_args(portal, owner), |row| {
                let image = PhotoImage {
                    size: row.int("size")? as u32,
                    width: row.int("width")? as u32,
                    height: row.int("height")? as u32,
                    data: row.blob("data")?,
                };
                Ok((row.text("format")?, row.int("version")?, image))
            })
            .await?;
        let Some((format, version, _)) = rows.first() else {
            return Ok(None);
        };
        let (format, version) = (format_of(format)?, *version);
        Ok(Some(Photo { format, version, images: rows.into_iter().map(|(_, _, image)| image).collect() }))
    }
}

//! Where photos are served: the URLs wrappers show, and the file names those URLs end in, written
//! and read here only. They follow the original's names (ContactPhotoManager, UserPhotoManager):
//! `contact_{id}_{w}_{h}.{ext}`, `{userid}_size_{w}-{h}.{ext}`, `{userid}_orig.{ext}`, and its
//! default images.

use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

use crate::model::people::User;
use crate::model::photos::{PhotoFormat, PhotoStamp, CONTACT_SIZES, USER_SIZES};
use crate::model::ContactId;

pub const CONTACT_PHOTOS: &str = "/storage/crm/photos";
pub const USER_PHOTOS: &str = "/storage/userPhotos/root";
pub const DEFAULT_CONTACT_PHOTOS: &str = "/Products/CRM/App_Themes/default/images";
pub const DEFAULT_USER_PHOTOS: &str = "/skins/default/images";

/// The side of the default image shown for a user's picture itself (the original's 200).
const DEFAULT_ORIGINAL: u32 = 200;

/// The URL of one size of a user's photo (0: the picture itself), or of the default image.
pub fn user_photo_url(user: &User, size: u32) -> String {
    match user.photo {
        Some(stamp) if size == 0 => {
            format!("{USER_PHOTOS}/{}_orig.{}?_={}", user.id, stamp.format.extension(), stamp.version)
        }
        Some(stamp) => {
            format!("{USER_PHOTOS}/{}_size_{size}-{size}.{}?_={}", user.id, stamp.format.extension(), stamp.version)
        }
        None => default_user_photo_url(size),
    }
}

pub fn default_user_photo_url(size: u32) -> String {
    let size = if size == 0 { DEFAULT_ORIGINAL } else { size };
    format!("{DEFAULT_USER_PHOTOS}/default_user_photo_size_{size}-{size}.png")
}

/// The URL of one size of a contact's photo, or of the default image for its kind.
pub fn contact_photo_url(id: ContactId, is_company: bool, stamp: Option<PhotoStamp>, size: u32) -> String {
    match stamp {
        Some(stamp) => {
            format!("{CONTACT_PHOTOS}/contact_{id}_{size}_{size}.{}?cd={}", stamp.format.extension(), stamp.version)
        }
        None => {
            let kind = if is_company { "company" } else { "people" };
            format!("{DEFAULT_CONTACT_PHOTOS}/empty_{kind}_logo_{size}_{size}.png")
        }
    }
}

/// The original's handler that answers the URL of a contact's photo, as contact wrappers link it.
pub const CONTACT_PHOTO_HANDLER: &str = "/Products/CRM/HttpHandlers/filehandler.ashx";

/// The handler's URL for one size (`ps`: 1 small, 2 medium) of a contact's photo.
pub fn contact_photo_handler_url(id: ContactId, is_company: bool, ps: u8) -> String {
    let is_company = if is_company { "True" } else { "False" };
    format!("{CONTACT_PHOTO_HANDLER}?action=contactphotoulr&cid={id}&isc={is_company}&ps={ps}")
}

/// `?ps=` of the contact photo handler: 1 small, 2 medium, 3 big.
pub fn contact_size_of_ps(ps: i64) -> Option<u32> {
    let [big, medium, small] = CONTACT_SIZES;
    match ps {
        1 => Some(small),
        2 => Some(medium),
        3 => Some(big),
        _ => None,
    }
}

/// The contact, size and format a contact photo's file name names.
pub fn parse_contact_file(name: &str) -> Option<(ContactId, u32, PhotoFormat)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let mut parts = stem.strip_prefix("contact_")?.split('_');
    let id = parts.next()?.parse().ok()?;
    let (width, height): (u32, u32) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    (parts.next().is_none() && width == height && CONTACT_SIZES.contains(&width)).then_some((
        ContactId(id),
        width,
        PhotoFormat::from_extension(ext)?,
    ))
}

/// The user, size (0: the picture itself) and format a user photo's file name names.
pub fn parse_user_file(name: &str) -> Option<(Uuid, u32, PhotoFormat)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let format = PhotoFormat::from_extension(ext)?;
    if let Some(id) = stem.strip_suffix("_orig") {
        return Some((Uuid::parse_str(id).ok()?, 0, format));
    }
    let (id, size) = stem.split_once("_size_")?;
    let side = square_side(size, '-')?;
    USER_SIZES.contains(&side).then_some((Uuid::parse_str(id).ok()?, side, format))
}

/// Whether a contact default image's file name is a company's, and its size.
pub fn parse_default_contact_file(name: &str) -> Option<(bool, u32)> {
    let stem = name.strip_suffix(".png")?;
    let (is_company, size) = match (stem.strip_prefix("empty_company_logo_"), stem.strip_prefix("empty_people_logo_")) {
        (Some(size), _) => (true, size),
        (_, Some(size)) => (false, size),
        _ => return None,
    };
    let side = square_side(size, '_')?;
    CONTACT_SIZES.contains(&side).then_some((is_company, side))
}

/// The size of a default user image's file name.
pub fn parse_default_user_file(name: &str) -> Option<u32> {
    let size = name.strip_prefix("default_user_photo_size_")?.strip_suffix(".png")?;
    let side = square_side(size, '-')?;
    (USER_SIZES.contains(&side) || side == DEFAULT_ORIGINAL).then_some(side)
}

/// `w{sep}h` of a square.
fn square_side(text: &str, separator: char) -> Option<u32> {
    let (width, height) = text.split_once(separator)?;
    let (width, height): (u32, u32) = (width.parse().ok()?, height.parse().ok()?);
    (width == height).then_some(width)
}

/// ThumbnailsDataWrapper: the URLs of every size of a user's photo.
#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ThumbnailsDataWrapper {
    pub original: String,
    pub retina: String,
    pub max: String,
    pub big: String,
    pub medium: String,
    pub small: String,
}

impl ThumbnailsDataWrapper {
    pub fn new(user: &User) -> Self {
        let [retina, max, big, medium, small] = USER_SIZES;
        ThumbnailsDataWrapper {
            original: user_photo_url(user, 0),
            retina: user_photo_url(user, retina),
            max: user_photo_url(user, max),
            big: user_photo_url(user, big),
            medium: user_photo_url(user, medium),
            small: user_photo_url(user, small),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_read_back_what_urls_write() {
        let stamp = PhotoStamp { format: PhotoFormat::Jpeg, version: 7 };
        let url = contact_photo_url(ContactId(12), false, Some(stamp), 82);
        let file = url.rsplit('/').next().unwrap().split('?').next().unwrap();
        assert_eq!(parse_contact_file(file), Some((ContactId(12), 82, PhotoFormat::Jpeg)));
        assert_eq!(parse_contact_file("contact_12_83_83.png"), None);
        assert_eq!(parse_contact_file("contact_12_82_40.png"), None);
        let default = contact_photo_url(ContactId(12), true, None, 40);
        assert_eq!(parse_default_contact_file(default.rsplit('/').next().unwrap()), Some((true, 40)));
        let id = Uuid::new_v4();
        assert_eq!(parse_user_file(&format!("{id}_size_48-48.png")), Some((id, 48, PhotoFormat::Png)));
        assert_eq!(parse_user_file(&format!("{id}_orig.jpeg")), Some((id, 0, PhotoFormat::Jpeg)));
        assert_eq!(parse_user_file(&format!("{id}_size_47-47.png")), None);
        assert_eq!(parse_default_user_file("default_user_photo_size_200-200.png"), Some(200));
        assert_eq!(parse_default_user_file("default_user_photo_size_32-48.png"), None);
    }
}

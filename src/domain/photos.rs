//! Photos of contacts and users: who may change them, and the sizes made from an upload.
//! Decoding and resizing take milliseconds of CPU, so they run off the async workers; an image
//! is refused before decoding when its dimensions or memory would be out of bounds.

use std::io::Cursor;

use chrono::Utc;
use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::{contacts, people, Caller};
use crate::error::{ApiError, ApiResult};
use crate::model::contacts::Contact;
use crate::model::people::User;
use crate::model::photos::StoredImage;
use crate::model::photos::{
    Photo, PhotoFormat, PhotoImage, PhotoOwner, PhotoStamp, CONTACT_SIZES, USER_ORIGINAL_BOUND, USER_SIZES,
};
use crate::model::ContactId;
use crate::store::Store;

pub use super::remote_image::FetchPolicy;

/// The largest photo accepted, uploaded or fetched (the multipart limit of every request).
pub const MAX_PHOTO_BYTES: usize = 2 * 1024 * 1024;

/// The largest side of an image that is decoded at all.
const MAX_SIDE: u32 = 10_000;

/// A part of a user's picture to make the squares from, in its pixels
/// (`POST people/{userid}/photo/thumbnails`).
#[derive(Debug, Clone, Copy)]
pub struct Crop {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The image in `bytes`, if it is a PNG or a JPEG within bounds; a 400 naming `param` if not.
fn decode(bytes: &[u8], param: &str) -> ApiResult<(DynamicImage, PhotoFormat)> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ApiError::invalid(param, format!("not readable: {e}")))?;
    let format = match reader.format() {
        Some(ImageFormat::Png) => PhotoFormat::Png,
        Some(ImageFormat::Jpeg) => PhotoFormat::Jpeg,
        _ => return Err(ApiError::invalid(param, "not a PNG or JPEG image")),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| ApiError::invalid(param, format!("not a readable image: {e}")))?;
    Ok((image, format))
}

fn encode(image: &DynamicImage, format: PhotoFormat) -> ApiResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    let written = match format {
        PhotoFormat::Png => image.write_to(&mut out, ImageFormat::Png),
        // JPEG has no alpha channel.
        PhotoFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()).write_to(&mut out, ImageFormat::Jpeg),
    };
    written.map_err(|e| ApiError::Internal(e.into()))?;
    Ok(out.into_inner())
}

/// A square of `side` pixels from the middle of `image`, scaled to fill it.
fn square(image: &DynamicImage, side: u32, format: PhotoFormat) -> ApiResult<PhotoImage> {
    let square = image.resize_to_fill(side, side, FilterType::Triangle);
    Ok(PhotoImage { size: side, width: side, height: side, data: encode(&square, format)? })
}

fn now_version() -> i64 {
    Utc::now().timestamp_millis()
}

/// A contact's photo from an uploaded image: the original's three squares.
fn contact_photo(bytes: &[u8], param: &str) -> ApiResult<Photo> {
    let (image, format) = decode(bytes, param)?;
    let images = CONTACT_SIZES.iter().map(|&side| square(&image, side, format)).collect::<ApiResult<_>>()?;
    Ok(Photo { format, version: now_version(), images })
}

/// A user's photo: the picture itself within the original's bound, and the squares taken from
/// `crop` of it (its middle when `None`).
fn user_photo(picture: &DynamicImage, format: PhotoFormat, crop: Option<Crop>) -> ApiResult<Photo> {
    let picture = if picture.width() > USER_ORIGINAL_BOUND || picture.height() > USER_ORIGINAL_BOUND {
        picture.resize(USER_ORIGINAL_BOUND, USER_ORIGINAL_BOUND, FilterType::Triangle)
    } else {
        picture.clone()
    };
    let part = match crop {
        Some(crop) => {
            check_crop(&picture, crop)?;
            picture.crop_imm(crop.x, crop.y, crop.width, crop.height)
        }
        None => picture.clone(),
    };
    let mut images =
        vec![PhotoImage { size: 0, width: picture.width(), height: picture.height(), data: encode(&picture, format)? }];
    for side in USER_SIZES {
        images.push(square(&part, side, format)?);
    }
    Ok(Photo { format, version: now_version(), images })
}

fn check_crop(picture: &DynamicImage, crop: Crop) -> ApiResult<()> {
    if crop.width == 0 {
        return Err(ApiError::invalid("width", "must be a positive number"));
    }
    if crop.height == 0 {
        return Err(ApiError::invalid("height", "must be a positive number"));
    }
    if u64::from(crop.x) + u64::from(crop.width) > u64::from(picture.width()) {
        return Err(ApiError::invalid("width", format!("x + width exceeds the picture's {} pixels", picture.width())));
    }
    if u64::from(crop.y) + u64::from(crop.height) > u64::from(picture.height()) {
        return Err(ApiError::invalid(
            "height",
            format!("y + height exceeds the picture's {} pixels", picture.height()),
        ));
    }
    Ok(())
}

/// Runs image work on a blocking thread.
async fn off_workers<T: Send + 'static>(work: impl FnOnce() -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::Internal(e.into()))?
}

/// Sets a contact's photo from an image (uploaded, or fetched by URL: `param` names where it
/// came from). Changing a photo is editing the contact.
pub async fn set_contact_photo(
    store: &Store,
    caller: &Caller,
    id: ContactId,
    image: Vec<u8>,
    param: &'static str,
) -> ApiResult<PhotoStamp> {
    // Refused before the image is decoded: a 404 or 403 costs no CPU.
    contacts::get_editable(store, caller, id).await?;
    let photo = off_workers(move || contact_photo(&image, param)).await?;
    let mut tx = store.begin_write().await?;
    contacts::lock_editable(store, tx.conn(), caller, id).await?;
    store.replace_photo(tx.conn(), caller.portal, PhotoOwner::Contact(id), Some(&photo)).await?;
    tx.commit().await?;
    Ok(PhotoStamp { format: photo.format, version: photo.version })
}

/// A contact's photo made from an image's bytes (an import's), off the async workers.
pub async fn contact_photo_of(image: Vec<u8>) -> ApiResult<Photo> {
    off_workers(move || contact_photo(&image, "photo")).await
}

/// Fetches the image at `url` within `policy` and makes it the contact's photo.
pub async fn set_contact_photo_by_url(
    store: &Store,
    policy: &FetchPolicy,
    caller: &Caller,
    id: ContactId,
    url: &str,
) -> ApiResult<PhotoStamp> {
    contacts::get_editable(store, caller, id).await?;
    let image = policy.fetch(url, "photourl").await?;
    set_contact_photo(store, caller, id, image, "photourl").await
}

/// Removes a contact's photo; the contact is returned for its default image.
pub async fn delete_contact_photo(store: &Store, caller: &Caller, id: ContactId) -> ApiResult<Contact> {
    let mut tx = store.begin_write().await?;
    let contact = contacts::lock_editable(store, tx.conn(), caller, id).await?;
    store.replace_photo(tx.conn(), caller.portal, PhotoOwner::Contact(id), None).await?;
    tx.commit().await?;
    Ok(contact)
}

/// A readable contact and which photo it has.
pub async fn contact_photo_stamp(
    store: &Store,
    caller: &Caller,
    id: ContactId,
) -> ApiResult<(Contact, Option<PhotoStamp>)> {
    let contact = contacts::get(store, caller, id).await?;
    let stamp = store.photo_stamp(caller.portal, PhotoOwner::Contact(id)).await?;
    Ok((contact, stamp))
}

/// One size of a readable contact's photo.
pub async fn contact_image(store: &Store, caller: &Caller, id: ContactId, size: u32) -> ApiResult<StoredImage> {
    contacts::get(store, caller, id).await?;
    store
        .photo_image(caller.portal, PhotoOwner::Contact(id), size)
        .await?
        .ok_or_else(|| ApiError::not_found("No such photo"))
}

/// Makes `image` the user's photo, its squares from the middle of the picture.
pub async fn set_user_photo(
    store: &Store,
    caller: &Caller,
    target: &User,
    image: Vec<u8>,
    param: &'static str,
) -> ApiResult<()> {
    people::require_can_edit(caller, target)?;
    let photo = off_workers(move || {
        let (picture, format) = decode(&image, param)?;
        user_photo(&picture, format, None)
    })
    .await?;
    write_user_photo(store, caller, target, Some(&photo)).await
}

/// Fetches the image at `url` within `policy` and makes it the user's photo.
pub async fn set_user_photo_by_url(
    store: &Store,
    policy: &FetchPolicy,
    caller: &Caller,
    target: &User,
    url: &str,
) -> ApiResult<()> {
    people::require_can_edit(caller, target)?;
    let image = policy.fetch(url, "files").await?;
    set_user_photo(store, caller, target, image, "files").await
}

/// Remakes the squares of the user's photo from a part of his picture. The picture is read and
/// the squares written in one transaction, so an upload in between cannot be undone by them.
pub async fn crop_user_photo(store: &Store, caller: &Caller, target: &User, crop: Crop) -> ApiResult<()> {
    people::require_can_edit(caller, target)?;
    let owner = PhotoOwner::User(target.id);
    let mut tx = store.begin_write().await?;
    store.lock_user(tx.conn(), caller.portal, target.id).await?;
    let (format, picture) = store
        .photo(tx.conn(), caller.portal, owner)
        .await?
        .and_then(|photo| {
            photo.images.into_iter().find(|image| image.size == 0).map(|image| (photo.format, image.data))
        })
        .ok_or_else(|| ApiError::invalid("userid", "the user has no photo to make thumbnails from"))?;
    let photo = off_workers(move || {
        let (image, _) = decode(&picture, "files")?;
        user_photo(&image, format, Some(crop))
    })
    .await?;
    store.replace_photo(tx.conn(), caller.portal, owner, Some(&photo)).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the user's photo: his profile shows the default images again.
pub async fn delete_user_photo(store: &Store, caller: &Caller, target: &User) -> ApiResult<()> {
    people::require_can_edit(caller, target)?;
    write_user_photo(store, caller, target, None).await
}

async fn write_user_photo(store: &Store, caller: &Caller, target: &User, photo: Option<&Photo>) -> ApiResult<()> {
    let mut tx = store.begin_write().await?;
    store.lock_user(tx.conn(), caller.portal, target.id).await?;
    store.replace_photo(tx.conn(), caller.portal, PhotoOwner::User(target.id), photo).await?;
    tx.commit().await?;
    Ok(())
}

/// One size of a user's photo; every user of the portal may see it.
pub async fn user_image(store: &Store, caller: &Caller, target: &User, size: u32) -> ApiResult<StoredImage> {
    store
        .photo_image(caller.portal, PhotoOwner::User(target.id), size)
        .await?
        .ok_or_else(|| ApiError::not_found("No such photo"))
}

/// Who a default image stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// A user, or a contact that is a person.
    Person,
    Company,
}

/// The default image of `side` pixels: a grey silhouette of a head and shoulders, or of a
/// building for a company. Drawn once per size, then served from memory.
pub fn placeholder(kind: Placeholder, side: u32) -> ApiResult<Vec<u8>> {
    static DRAWN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<(Placeholder, u32), Vec<u8>>>> =
        std::sync::OnceLock::new();
    let drawn = DRAWN.get_or_init(Default::default);
    if let Some(png) =
        drawn.lock().map_err(|_| ApiError::Internal(anyhow::anyhow!("placeholder cache poisoned")))?.get(&(kind, side))
    {
        return Ok(png.clone());
    }
    let png = encode(&DynamicImage::ImageRgb8(draw_placeholder(kind, side)), PhotoFormat::Png)?;
    drawn
        .lock()
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("placeholder cache poisoned")))?
        .insert((kind, side), png.clone());
    Ok(png)
}

fn draw_placeholder(kind: Placeholder, side: u32) -> image::RgbImage {
    const BACKGROUND: image::Rgb<u8> = image::Rgb([0xe8, 0xec, 0xf0]);
    const FIGURE: image::Rgb<u8> = image::Rgb([0xb4, 0xbe, 0xc8]);
    let s = side as f32;
    image::RgbImage::from_fn(side, side, |x, y| {
        // The centre of the pixel, in parts of the side.
        let (u, v) = ((x as f32 + 0.5) / s, (y as f32 + 0.5) / s);
        let inside = match kind {
            Placeholder::Company => {
                let building = (0.28..0.72).contains(&u) && (0.22..0.86).contains(&v);
                // Windows: a grid of lighter squares left out of the building.
                let window = ((u - 0.28) / 0.11).fract() > 0.45 && ((v - 0.22) / 0.11).fract() > 0.45 && v < 0.7;
                building && !window
            }
            Placeholder::Person => {
                let head = (u - 0.5).powi(2) + (v - 0.38).powi(2) < 0.18f32.powi(2);
                let shoulders = ((u - 0.5) / 0.34).powi(2) + ((v - 0.98) / 0.36).powi(2) < 1.0;
                head || shoulders
            }
        };
        if inside {
            FIGURE
        } else {
            BACKGROUND
        }
    })
}

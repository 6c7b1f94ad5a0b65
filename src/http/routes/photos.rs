//! Photos: a contact's (`crm/contact/{contactid}/changephoto`, `.../changephotobyurl`,
//! `.../avatar`), a user's (`people/{userid}/photo...`), and the images their URLs lead to.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::people::UserRef;
use crate::app::App;
use crate::domain::people;
use crate::domain::photos::{self, Crop, Placeholder};
use crate::error::{ApiError, ApiResult};
use crate::http::binding::Params;
use crate::http::envelope::Reply;
use crate::http::inputs::{inputs, In, Param, Upload};
use crate::http::openapi::Ty;
use crate::http::request::{Anon, Call};
use crate::http::wire::photos::{
    contact_photo_url, contact_size_of_ps, parse_contact_file, parse_default_contact_file, parse_default_user_file,
    parse_user_file, ThumbnailsDataWrapper,
};
use crate::model::photos::{PhotoFormat, StoredImage, CONTACT_SIZES};
use crate::model::{ContactId, UserId};

/// Where a user's new photo comes from: the original takes a URL in `files`; a file uploaded
/// under that name in a multipart form is taken as well.
#[derive(Debug)]
pub enum PhotoSource {
    Url(String),
    File(Vec<u8>),
}

impl Param for Option<PhotoSource> {
    const TY: Ty = Ty::Text;
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        if let Some(Upload(bytes)) = Option::<Upload>::bind(params, name)? {
            return Ok(Some(PhotoSource::File(bytes)));
        }
        Ok(params.get::<String>(name)?.filter(|url| !url.trim().is_empty()).map(PhotoSource::Url))
    }
}

inputs! {
    pub struct ContactPhotoUpload {
        contact: ContactId = "contactid",
        photo: Upload = "photo",
    }

    pub struct ContactPhotoByUrl {
        contact: ContactId = "contactid",
        url: String = "photourl",
    }

    /// The original also answers for a contact not yet created (id 0) by its kind.
    pub struct AvatarRemoval {
        contact: ContactId = "contactid",
        contact_type: Option<String> = "contactType",
        upload_only: Option<bool> = "uploadOnly",
    }

    pub struct UserPhotoChange {
        userid: String = "userid",
        files: Option<PhotoSource> = "files",
    }

    pub struct UserThumbnails {
        userid: String = "userid",
        tmp_file: Option<String> = "tmpFile",
        x: i64 = "x",
        y: i64 = "y",
        width: i64 = "width",
        height: i64 = "height",
    }

    /// The file name at the end of a photo's URL.
    pub struct PhotoFile {
        file: String = "file",
    }

    /// The original's contact photo handler: which contact, and `ps` 1 small, 2 medium, 3 big.
    /// Its `isc` (whether the contact is a company) is not needed: the contact says.
    pub struct ContactPhotoQuery {
        action: String = "action",
        cid: ContactId = "cid",
        ps: i64 = "ps",
    }
}

/// `PUT crm/contact/{contactid}/changephoto`: the URL of the photo's big size.
pub async fn change_contact_photo(
    State(app): State<Arc<App>>,
    In(call, input): In<ContactPhotoUpload>,
) -> ApiResult<Reply> {
    let stamp = photos::set_contact_photo(&app.store, &call.caller, input.contact, input.photo.0, "photo").await?;
    Reply::of(contact_photo_url(input.contact, false, Some(stamp), CONTACT_SIZES[0]))
}

/// `PUT crm/contact/{contactid}/changephotobyurl`.
pub async fn change_contact_photo_by_url(
    State(app): State<Arc<App>>,
    In(call, input): In<ContactPhotoByUrl>,
) -> ApiResult<Reply> {
    let (app, caller) = (&app, &call.caller);
    let stamp =
        photos::set_contact_photo_by_url(&app.store, &app.settings.photo_fetch, caller, input.contact, &input.url)
            .await?;
    Reply::of(contact_photo_url(input.contact, false, Some(stamp), CONTACT_SIZES[0]))
}

/// `DELETE crm/contact/{contactid}/avatar`: the URL of the default big image, or `""` when only
/// an upload not yet saved was meant (`uploadOnly`), as the original answers.
pub async fn delete_contact_photo(State(app): State<Arc<App>>, In(call, input): In<AvatarRemoval>) -> ApiResult<Reply> {
    if input.upload_only == Some(true) {
        return Reply::of("");
    }
    let is_company = if input.contact.0 == 0 {
        input.contact_type.as_deref() != Some("people")
    } else {
        photos::delete_contact_photo(&app.store, &call.caller, input.contact).await?.is_company
    };
    Reply::of(contact_photo_url(input.contact, is_company, None, CONTACT_SIZES[0]))
}

/// `GET people/{userid}/photo`.
pub async fn user_photo(State(app): State<Arc<App>>, In(call, input): In<UserRef>) -> ApiResult<Reply> {
    let user = people::resolve(&app.store, &call.caller, &input.userid).await?;
    Reply::of(ThumbnailsDataWrapper::new(&user))
}

/// `PUT people/{userid}/photo`: from a URL in `files` (or a file uploaded as `files`); nothing
/// changes without one, as in the original.
pub async fn change_user_photo(State(app): State<Arc<App>>, In(call, input): In<UserPhotoChange>) -> ApiResult<Reply> {
    let user = people::resolve(&app.store, &call.caller, &input.userid).await?;
    match input.files {
        Some(PhotoSource::Url(url)) => {
            photos::set_user_photo_by_url(&app.store, &app.settings.photo_fetch, &call.caller, &user, &url).await?
        }
        Some(PhotoSource::File(bytes)) => {
            photos::set_user_photo(&app.store, &call.caller, &user, bytes, "files").await?
        }
        None => people::require_can_edit(&call.caller, &user)?,
    }
    thumbnails(&app, &call, user.id).await
}

/// `DELETE people/{userid}/photo`.
pub async fn delete_user_photo(State(app): State<Arc<App>>, In(call, input): In<UserRef>) -> ApiResult<Reply> {
    let user = people::resolve(&app.store, &call.caller, &input.userid).await?;
    photos::delete_user_photo(&app.store, &call.caller, &user).await?;
    thumbnails(&app, &call, user.id).await
}

/// `POST people/{userid}/photo/thumbnails`: the squares remade from a part of the picture.
pub async fn crop_user_photo(State(app): State<Arc<App>>, In(call, input): In<UserThumbnails>) -> ApiResult<Reply> {
    if input.tmp_file.is_some_and(|file| !file.trim().is_empty()) {
        return Err(ApiError::invalid(
            "tmpFile",
            "this server keeps no temporary uploads: upload the photo with PUT people/{userid}/photo, then crop it here",
        ));
    }
    let pixels =
        |value: i64, name: &str| u32::try_from(value).map_err(|_| ApiError::invalid(name, "must be 0 or more pixels"));
    let crop = Crop {
        x: pixels(input.x, "x")?,
        y: pixels(input.y, "y")?,
        width: pixels(input.width, "width")?,
        height: pixels(input.height, "height")?,
    };
    let user = people::resolve(&app.store, &call.caller, &input.userid).await?;
    photos::crop_user_photo(&app.store, &call.caller, &user, crop).await?;
    thumbnails(&app, &call, user.id).await
}

/// The photo URLs of the user as the change left him.
async fn thumbnails(app: &App, call: &Call, user: UserId) -> ApiResult<Reply> {
    let user = people::by_id(&app.store, &call.caller, user).await?;
    Reply::of(ThumbnailsDataWrapper::new(&user))
}

/// `GET /Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid=..&ps=..`: the
/// URL of a contact's photo as text, the original's answer; only for a contact the caller reads.
pub async fn contact_photo_handler(
    State(app): State<Arc<App>>,
    In(call, input): In<ContactPhotoQuery>,
) -> ApiResult<Response> {
    if !input.action.eq_ignore_ascii_case("contactphotoulr") {
        return Err(ApiError::invalid("action", format!("action='{}' is not defined", input.action)));
    }
    let size =
        contact_size_of_ps(input.ps).ok_or_else(|| ApiError::invalid("ps", "use 1 (small), 2 (medium) or 3 (big)"))?;
    let (contact, stamp) = photos::contact_photo_stamp(&app.store, &call.caller, input.cid).await?;
    let url = contact_photo_url(contact.id, contact.is_company, stamp, size);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], url).into_response())
}

/// A contact's photo, for a caller who may read the contact.
pub async fn contact_image(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    In(call, input): In<PhotoFile>,
) -> ApiResult<Response> {
    let (id, size, format) = parse_contact_file(&input.file).ok_or_else(|| ApiError::not_found("No such photo"))?;
    let image = photos::contact_image(&app.store, &call.caller, id, size).await?;
    stored_image_response(&headers, image, format)
}

/// A user's photo, for any user of the portal.
pub async fn user_image(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    In(call, input): In<PhotoFile>,
) -> ApiResult<Response> {
    let (id, size, format) = parse_user_file(&input.file).ok_or_else(|| ApiError::not_found("No such photo"))?;
    let user = people::by_id(&app.store, &call.caller, UserId(id)).await?;
    let image = photos::user_image(&app.store, &call.caller, &user, size).await?;
    stored_image_response(&headers, image, format)
}

/// An uploaded image, if it is in the format its URL names: an earlier upload's URL finds nothing.
fn stored_image_response(headers: &HeaderMap, image: StoredImage, format: PhotoFormat) -> ApiResult<Response> {
    if image.stamp.format != format {
        return Err(ApiError::not_found("No such photo"));
    }
    Ok(image_response(headers, format.media_type(), image.stamp.version, PRIVATE, image.data))
}

/// A default contact image: the same for everyone, so public.
pub async fn default_contact_image(headers: HeaderMap, In(_, input): In<PhotoFile, Anon>) -> ApiResult<Response> {
    let (is_company, side) =
        parse_default_contact_file(&input.file).ok_or_else(|| ApiError::not_found("No such image"))?;
    let kind = if is_company { Placeholder::Company } else { Placeholder::Person };
    Ok(image_response(&headers, "image/png", i64::from(side), PUBLIC, photos::placeholder(kind, side)?))
}

/// A default user image.
pub async fn default_user_image(headers: HeaderMap, In(_, input): In<PhotoFile, Anon>) -> ApiResult<Response> {
    let side = parse_default_user_file(&input.file).ok_or_else(|| ApiError::not_found("No such image"))?;
    Ok(image_response(&headers, "image/png", i64::from(side), PUBLIC, photos::placeholder(Placeholder::Person, side)?))
}

/// Uploaded photos are revalidated on each use: their URL outlives a change of access.
const PRIVATE: &str = "private, no-cache";
const PUBLIC: &str = "public, max-age=86400";

/// The image, or 304 when the client holds this version.
fn image_response(
    headers: &HeaderMap,
    media_type: &'static str,
    version: i64,
    cache: &'static str,
    data: Vec<u8>,
) -> Response {
    let etag = format!("\"{version}\"");
    let held = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let headers = [(header::CACHE_CONTROL, cache.to_string()), (header::ETAG, etag)];
    if held {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, media_type)], headers, data).into_response()
}

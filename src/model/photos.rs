//! Photos of contacts and users: the sizes the original keeps, and the images the store holds.

use super::{ContactId, UserId};

/// The formats a photo is kept in. Like the original, only PNG and JPEG are accepted, and each
/// size is written in the format that was uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoFormat {
    Png,
    Jpeg,
}

impl PhotoFormat {
    pub fn extension(self) -> &'static str {
        match self {
            PhotoFormat::Png => "png",
            PhotoFormat::Jpeg => "jpeg",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            PhotoFormat::Png => "image/png",
            PhotoFormat::Jpeg => "image/jpeg",
        }
    }

    /// The format stored under `name` (an extension; `jpg` too).
    pub fn from_extension(name: &str) -> Option<PhotoFormat> {
        match name.to_ascii_lowercase().as_str() {
            "png" => Some(PhotoFormat::Png),
            "jpeg" | "jpg" => Some(PhotoFormat::Jpeg),
            _ => None,
        }
    }
}

/// Whose photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoOwner {
    Contact(ContactId),
    User(UserId),
}

/// The sizes a contact's photo is kept in (ContactPhotoManager): big, medium, small squares.
pub const CONTACT_SIZES: [u32; 3] = [200, 82, 40];

/// The sizes a user's photo is kept in (UserPhotoManager): retina, max, big, medium, small
/// squares, plus the picture itself within [`USER_ORIGINAL_BOUND`], kept as size 0.
pub const USER_SIZES: [u32; 5] = [360, 200, 82, 48, 32];

/// The original's limit on a user's kept picture (OriginalFotoSize).
pub const USER_ORIGINAL_BOUND: u32 = 1280;

/// One stored image of a photo.
#[derive(Debug, Clone)]
pub struct PhotoImage {
    /// The side of the square; 0 for a user's picture itself.
    pub size: u32,
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// A photo's images as one upload wrote them: one format, one version for every size.
#[derive(Debug, Clone)]
pub struct Photo {
    pub format: PhotoFormat,
    /// When it was uploaded (milliseconds since the epoch); its URLs change with each upload.
    pub version: i64,
    pub images: Vec<PhotoImage>,
}

/// What a photo's URLs need: its format and version, without the images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoStamp {
    pub format: PhotoFormat,
    pub version: i64,
}

/// One stored size of a photo, as it is served.
#[derive(Debug, Clone)]
pub struct StoredImage {
    pub stamp: PhotoStamp,
    pub data: Vec<u8>,
}

//! Typed ids: a contact id cannot be passed where a project id is expected, nor a user's GUID
//! where a group's is. Each wraps the stored value; `.0` is for the store's binds and the wire.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta] $name:ident($inner:ty);)*) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$inner> for $name {
            fn from(value: $inner) -> Self {
                $name(value)
            }
        }
    )*};
}

typed_id! {
    /// A portal (tenant); every row belongs to one.
    PortalId(i64);
    /// A CRM contact, person or company.
    ContactId(i64);
    /// A contact that is a company, where a person's company is meant.
    CompanyId(i64);
    /// A project.
    ProjectId(i64);
    /// One row of a contact's details (phone, email, address, ...).
    InfoId(i64);
    /// A contact status or contact type.
    ListItemId(i64);
    /// A custom field definition.
    FieldId(i64);
    /// A currency exchange rate.
    RateId(i64);
    /// A portal user.
    UserId(Uuid);
    /// A group (department) of users.
    GroupId(Uuid);
}

impl UserId {
    /// The empty GUID, which the original uses for "nobody".
    pub const NIL: UserId = UserId(Uuid::nil());

    pub fn is_nil(self) -> bool {
        self.0.is_nil()
    }
}

impl InfoId {
    /// A detail not stored yet: the store gives it its id.
    pub const UNSAVED: InfoId = InfoId(0);
}

impl RateId {
    /// A rate not stored yet: the store gives it its id.
    pub const UNSAVED: RateId = RateId(0);
}

impl ListItemId {
    /// An item not stored yet: the store gives it its id.
    pub const UNSAVED: ListItemId = ListItemId(0);
}

impl FieldId {
    /// A definition not stored yet: the store gives it its id.
    pub const UNSAVED: FieldId = FieldId(0);
}

impl CompanyId {
    /// A person's company as the wire and the table number it, where 0 means none.
    pub fn from_number(number: i64) -> Option<CompanyId> {
        (number != 0).then_some(CompanyId(number))
    }

    /// The number of a person's company, 0 for none.
    pub fn number(company: Option<CompanyId>) -> i64 {
        company.map_or(0, |id| id.0)
    }

    /// The company as the contact it is.
    pub fn contact(self) -> ContactId {
        ContactId(self.0)
    }
}

/// A GUID in any of .NET's formats (`N`, `D`, `B`, `P`), any case.
pub fn parse_guid(text: &str) -> Option<Uuid> {
    let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(text);
    let shaped = match inner.len() {
        32 => inner.bytes().all(|b| b.is_ascii_hexdigit()),
        36 => {
            inner
                .bytes()
                .enumerate()
                .all(|(i, b)| if [8, 13, 18, 23].contains(&i) { b == b'-' } else { b.is_ascii_hexdigit() })
        }
        38 => inner.starts_with('{') && inner.ends_with('}'),
        _ => false,
    };
    if !shaped {
        return None;
    }
    Uuid::parse_str(inner).ok()
}

/// Who besides admins and managers may see and change a contact (the original's ShareType),
/// numbered as stored and on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShareType {
    /// Private: admins and the contact's managers only.
    #[default]
    None = 0,
    /// Everyone reads and edits.
    ReadWrite = 1,
    /// Everyone reads; admins and managers edit.
    Read = 2,
}

impl ShareType {
    pub const ALL: [ShareType; 3] = [ShareType::None, ShareType::ReadWrite, ShareType::Read];

    pub const fn number(self) -> i64 {
        self as i64
    }

    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|share| share.number() == n)
    }

    /// Input: older clients send `isShared`, which means ReadWrite when true, private otherwise.
    pub fn from_is_shared(is_shared: bool) -> Self {
        if is_shared {
            ShareType::ReadWrite
        } else {
            ShareType::None
        }
    }

    /// Output: `isShared` is true for every contact that is not private, Read ones included.
    pub fn is_shared(self) -> bool {
        self != ShareType::None
    }
}

/// Which committed state of the database a request reads; two equal ones read the same data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot {
    /// A SQLite file's: the header of the write-ahead log's index as the read transaction
    /// began. Every commit, in any process, moves the log's last frame, and a restart of the log
    /// changes its salt.
    Log([u8; 48]),
    /// PostgreSQL's: the generation of change notices the process had heard before the request
    /// read (`store::changes`), which every commit, in any process, moves on once its notice
    /// arrives.
    Notified(i64),
}

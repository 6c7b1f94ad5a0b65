//! Request parameters bind straight to the model's typed ids, read as the number or GUID each
//! wraps.

use chrono_tz::Tz;
use uuid::Uuid;

use super::binding::FromParam;
use crate::model::{CompanyId, ContactId, FieldId, GroupId, InfoId, ListItemId, ProjectId, RateId, UserId};

macro_rules! id_param {
    ($($name:ident($inner:ty)),*) => {$(
        impl FromParam for $name {
            fn from_param(text: &str, tz: Tz) -> Result<Option<Self>, String> {
                Ok(<$inner>::from_param(text, tz)?.map($name))
            }
        }
    )*};
}

id_param!(
    ContactId(i64),
    CompanyId(i64),
    ProjectId(i64),
    InfoId(i64),
    ListItemId(i64),
    FieldId(i64),
    RateId(i64),
    UserId(Uuid),
    GroupId(Uuid)
);

//! An endpoint declares its inputs once, as a type: the [`inputs!`] macro writes a struct whose
//! fields bind themselves from the merged [`Params`] (the original's rules: any case, every
//! bracket form, one-object lists) and describe themselves for `openapi.json`. A field's Rust
//! type says how it binds: `T` is required (400 naming it when missing), `Option<T>` optional,
//! `Vec<T>` a list (missing is empty), `Option<Vec<T>>` a list that may be left out,
//! `Objects<O>` a list of objects; a field without a name flattens a shared group of inputs.
//! Handlers take `In<T>`, and the route table reads the document from the handler's type, so
//! what binds and what is documented cannot drift.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request, State};
use axum::http::Uri;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::binding::{ApiEnum, Enum, FromParam, Params};
use super::openapi::Input;
use super::openapi::Ty;
use super::request::{Anon, Call};
use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::model::{CompanyId, ContactId, FieldId, GroupId, InfoId, ListItemId, ProjectId, RateId, UserId};

/// A set of inputs: an endpoint's, or a group several endpoints share, or one object of a list.
pub trait Inputs: Sized {
    /// What `openapi.json` documents, in declaration order.
    fn inputs() -> Vec<Input>;
    fn bind(params: &Params) -> ApiResult<Self>;
}

/// A value type one parameter converts to, and how the document types it.
pub trait Scalar: FromParam {
    const TY: Ty;
}

/// How a field binds: its document type, whether a missing value is a 400, and the binding.
pub trait Param: Sized {
    const TY: Ty;
    const REQUIRED: bool;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self>;
}

impl<T: Scalar> Param for T {
    const TY: Ty = T::TY;
    const REQUIRED: bool = true;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        params.require(name)
    }
}

impl<T: Scalar> Param for Option<T> {
    const TY: Ty = T::TY;
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        params.get(name)
    }
}

fn item_ty<T: Scalar>() -> Ty {
    T::TY
}

impl<T: Scalar> Param for Vec<T> {
    const TY: Ty = Ty::List(item_ty::<T>);
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        params.list(name)
    }
}

/// A list whose absence means "leave as it is" rather than "empty".
impl<T: Scalar> Param for Option<Vec<T>> {
    const TY: Ty = Ty::List(item_ty::<T>);
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        if params.has(name) {
            params.list(name).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A list that must hold at least one value: missing or empty is a 400 naming it.
#[derive(Debug)]
pub struct NonEmpty<T>(pub Vec<T>);

impl<T: Scalar> Param for NonEmpty<T> {
    const TY: Ty = Ty::List(item_ty::<T>);
    const REQUIRED: bool = true;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        let list = params.list(name)?;
        if list.is_empty() {
            return Err(ApiError::missing(name));
        }
        Ok(NonEmpty(list))
    }
}

/// A value that may be left out (`None`), sent empty to clear it (`Some(None)`), or set.
impl<T: Scalar> Param for Option<Option<T>> {
    const TY: Ty = T::TY;
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        if params.has(name) {
            params.get(name).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// A file sent in a multipart form, required: its bytes.
#[derive(Debug)]
pub struct Upload(pub Vec<u8>);

impl Param for Upload {
    const TY: Ty = Ty::File;
    const REQUIRED: bool = true;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        Option::<Upload>::bind(params, name)?.ok_or_else(|| ApiError::missing(name))
    }
}

impl Param for Option<Upload> {
    const TY: Ty = Ty::File;
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        match params.file(name) {
            Some(file) if file.bytes.is_empty() => Err(ApiError::invalid(name, "the file is empty")),
            Some(file) => Ok(Some(Upload(file.bytes.to_vec()))),
            None => Ok(None),
        }
    }
}

/// A list of objects, each bound as `O` from its own properties.
#[derive(Debug, Default)]
pub struct Objects<O>(pub Vec<O>);

impl<O: Inputs> Param for Objects<O> {
    const TY: Ty = Ty::Objects(O::inputs);
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        params.objects(name)?.iter().map(O::bind).collect::<ApiResult<_>>().map(Objects)
    }
}

/// One object, required: the first of the objects sent under the name.
#[derive(Debug)]
pub struct One<O>(pub O);

impl<O: Inputs> Param for One<O> {
    const TY: Ty = Ty::Objects(O::inputs);
    const REQUIRED: bool = true;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        let first = params.objects(name)?.into_iter().next().ok_or_else(|| ApiError::missing(name))?;
        O::bind(&first).map(One)
    }
}

/// A list of objects that may be left out.
impl<O: Inputs> Param for Option<Objects<O>> {
    const TY: Ty = Ty::Objects(O::inputs);
    const REQUIRED: bool = false;
    fn bind(params: &Params, name: &'static str) -> ApiResult<Self> {
        if params.has(name) {
            Objects::bind(params, name).map(Some)
        } else {
            Ok(None)
        }
    }
}

macro_rules! scalars {
    ($($t:ty => $ty:expr),* $(,)?) => {$(
        impl Scalar for $t {
            const TY: Ty = $ty;
        }
    )*};
}

scalars! {
    i64 => Ty::Int,
    f64 => Ty::Number,
    bool => Ty::Bool,
    String => Ty::Text,
    Uuid => Ty::Guid,
    DateTime<Utc> => Ty::Date,
    ContactId => Ty::Int,
    CompanyId => Ty::Int,
    ProjectId => Ty::Int,
    InfoId => Ty::Int,
    ListItemId => Ty::Int,
    FieldId => Ty::Int,
    RateId => Ty::Int,
    UserId => Ty::Guid,
    GroupId => Ty::Guid,
}

impl<E: ApiEnum> Scalar for Enum<E> {
    const TY: Ty = Ty::Enum(E::NAMES);
}

/// Declares input structs; see the module documentation.
///
/// ```ignore
/// inputs! {
///     pub struct SetAccess {
///         contact: ContactId = "contactid",
///         is_shared: Option<bool> = "isShared",
///         filter: ContactFilterInputs,
///     }
/// }
/// ```
macro_rules! inputs {
    (@describe $all:ident, $ty:ty, $wire:literal) => {
        $all.push($crate::http::openapi::Input {
            name: $wire,
            ty: <$ty as $crate::http::inputs::Param>::TY,
            required: <$ty as $crate::http::inputs::Param>::REQUIRED,
        })
    };
    (@describe $all:ident, $ty:ty) => {
        $all.extend(<$ty as $crate::http::inputs::Inputs>::inputs())
    };
    (@bind $params:ident, $ty:ty, $wire:literal) => {
        <$ty as $crate::http::inputs::Param>::bind($params, $wire)?
    };
    (@bind $params:ident, $ty:ty) => {
        <$ty as $crate::http::inputs::Inputs>::bind($params)?
    };
    ($(
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $(#[$field_meta:meta])* $field:ident : $ty:ty $(= $wire:literal)? ),* $(,)?
        }
    )*) => {$(
        $(#[$meta])*
        #[derive(Debug)]
        $vis struct $name {
            $( $(#[$field_meta])* pub $field: $ty, )*
        }

        impl $crate::http::inputs::Inputs for $name {
            #[allow(unused_mut, clippy::vec_init_then_push)]
            fn inputs() -> Vec<$crate::http::openapi::Input> {
                let mut all = Vec::new();
                $( inputs!(@describe all, $ty $(, $wire)?); )*
                all
            }

            #[allow(unused_variables)]
            fn bind(params: &$crate::http::binding::Params) -> $crate::error::ApiResult<Self> {
                Ok($name { $( $field: inputs!(@bind params, $ty $(, $wire)?), )* })
            }
        }
    )*};
}
pub(crate) use inputs;

/// A request whose parameters were merged into [`Params`].
pub trait HasParams {
    fn params(&self) -> &Params;
}

impl HasParams for Call {
    fn params(&self) -> &Params {
        &self.params
    }
}

impl HasParams for Anon {
    fn params(&self) -> &Params {
        &self.params
    }
}

/// The extractor of a handler with declared inputs: the call (authenticated unless `C` is
/// [`Anon`]) and its inputs, bound before the handler runs.
pub struct In<T, C = Call>(pub C, pub T);

impl<T, C> FromRequest<Arc<App>> for In<T, C>
where
    T: Inputs,
    C: FromRequest<Arc<App>, Rejection = ApiError> + HasParams,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        if let Ok(route) = RawPathParams::from_request_parts(&mut parts, app).await {
            // The original's routes take such ids only as digits (`{id:[0-9]+}`): a word there
            // matches no route.
            let numeric = T::inputs();
            let numeric =
                |name: &str| numeric.iter().any(|i| matches!(i.ty, Ty::Int) && i.name.eq_ignore_ascii_case(name));
            if route.iter().any(|(name, value)| numeric(name) && !value.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ApiError::not_found("Method not found"));
            }
        }
        let call = C::from_request(Request::from_parts(parts, body), app).await?;
        let inputs = T::bind(call.params())?;
        Ok(In(call, inputs))
    }
}

/// What a handler's last extractor declares.
pub trait Declares {
    fn inputs() -> Vec<Input>;
}

impl<T: Inputs, C> Declares for In<T, C> {
    fn inputs() -> Vec<Input> {
        T::inputs()
    }
}

macro_rules! declares_nothing {
    ($($t:ty),*) => {$(
        impl Declares for $t {
            fn inputs() -> Vec<Input> {
                Vec::new()
            }
        }
    )*};
}
declares_nothing!(Call, Anon, State<Arc<App>>, Uri);

/// The inputs of a handler, read from its extractors' types (axum's `Handler<T>` tuple).
pub trait HandlerInputs {
    fn inputs() -> Vec<Input>;
}

impl HandlerInputs for ((),) {
    fn inputs() -> Vec<Input> {
        Vec::new()
    }
}

impl<M, L: Declares> HandlerInputs for (M, L) {
    fn inputs() -> Vec<Input> {
        L::inputs()
    }
}

impl<M, A, L: Declares> HandlerInputs for (M, A, L) {
    fn inputs() -> Vec<Input> {
        L::inputs()
    }
}

impl<M, A, B, L: Declares> HandlerInputs for (M, A, B, L) {
    fn inputs() -> Vec<Input> {
        L::inputs()
    }
}

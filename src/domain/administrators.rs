//! Who administers the portal: the original's `settings/security/administrator` routes. The
//! original has an administrator of the whole portal and administrators of each product;
//! portald keeps one flag per user, so an administrator of CRM, People or Projects is an
//! administrator of the portal (docs/compatibility.md).

use uuid::Uuid;

use super::people::User;
use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::model::UserId;
use crate::store::Store;

use super::people::require_admin;

/// The products whose administrators are the portal's: the empty id (the whole portal), CRM,
/// People and Projects (the original's product ids).
const PRODUCTS: [Uuid; 4] = [
    Uuid::nil(),
    Uuid::from_u128(0x6743007c_6f95_4d20_8c88_a8601ce5e76d),
    Uuid::from_u128(0xf4d98afd_d336_4332_8778_3c6945c81ea0),
    Uuid::from_u128(0x1e044602_43b5_4d79_82f3_fd6208a11960),
];

fn check_product(product: Uuid) -> ApiResult<()> {
    if PRODUCTS.contains(&product) {
        Ok(())
    } else {
        Err(ApiError::invalid("productid", "use the empty id (the portal) or the id of CRM, People or Projects"))
    }
}

/// `GET settings/security/administrator/{productid}`: the portal's administrators.
pub async fn administrators(store: &Store, caller: &Caller, product: Uuid) -> ApiResult<Vec<User>> {
    check_product(product)?;
    Ok(store.all_users(caller.portal).await?.into_iter().filter(|u| u.is_admin).collect())
}

/// `GET settings/security/administrator?productid=&userid=`: an unknown user is none, as in the
/// original.
pub async fn is_administrator(store: &Store, caller: &Caller, product: Uuid, user: UserId) -> ApiResult<bool> {
    check_product(product)?;
    Ok(store.user_by_id(caller.portal, user).await?.is_some_and(|u| u.is_admin))
}

/// `PUT settings/security/administrator`: the owner or an administrator grants or takes away a
/// user's rights; the owner keeps his, and a guest cannot get them. The user's next request
/// sees the change (each request reads its caller afresh).
pub async fn set_administrator(
    store: &Store,
    caller: &Caller,
    product: Uuid,
    user: UserId,
    administrator: bool,
) -> ApiResult<()> {
    check_product(product)?;
    if !caller.user.is_owner {
        require_admin(caller)?;
    }
    let mut tx = store.begin_write().await?;
    let target = store
        .user_by_id_in(tx.conn(), caller.portal, user)
        .await?
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    if !administrator && target.is_owner {
        return Err(ApiError::forbidden("The portal owner's administrator rights cannot be taken away"));
    }
    if administrator && target.is_visitor {
        return Err(ApiError::invalid("userid", "a guest cannot be an administrator"));
    }
    if administrator {
        store.set_admin(tx.conn(), caller.portal, user).await?;
    } else {
        store.unset_admin(tx.conn(), caller.portal, user).await?;
    }
    tx.commit().await?;
    Ok(())
}

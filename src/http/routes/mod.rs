//! The route table.

mod auth;
mod crm;
mod groups;
mod people;
mod projects;
mod system;

use std::sync::Arc;

use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::app::App;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/health", get(system::health))
        .route("/metrics", get(system::metrics))
        .route("/api/2.0/capabilities", get(system::capabilities))
        .route("/api/2.0/authentication", post(auth::login))
        .route("/api/2.0/authentication/logout", post(auth::logout))
        .route("/api/2.0/people", get(people::list).post(people::add))
        .route("/api/2.0/people/email", get(people::by_email))
        .route("/api/2.0/people/filter", get(people::filter))
        .route("/api/2.0/people/simple/filter", get(people::simple_filter))
        .route("/api/2.0/people/search", get(people::search))
        .route("/api/2.0/people/@search/{query}", get(people::search))
        .route("/api/2.0/people/status/{status}", get(people::by_status).put(people::set_status))
        .route("/api/2.0/people/status/{status}/search", get(people::search_by_status))
        .route("/api/2.0/people/{userid}", get(people::get).put(people::update).delete(people::delete))
        .route("/api/2.0/people/{userid}/password", put(people::change_password))
        .route(
            "/api/2.0/people/{userid}/contacts",
            post(people::set_contacts).put(people::merge_contacts).delete(people::remove_contacts),
        )
        .route("/api/2.0/group", get(groups::list).post(groups::create))
        .route("/api/2.0/group/search", get(groups::search))
        .route("/api/2.0/group/user/{userid}", get(groups::of_user))
        .route("/api/2.0/group/{groupid}", get(groups::get).put(groups::update).delete(groups::delete))
        .route(
            "/api/2.0/group/{groupid}/members",
            post(groups::set_members).put(groups::add_members).delete(groups::remove_members),
        )
        .route("/api/2.0/group/{groupid}/members/{newgroupid}", put(groups::move_members))
        .route("/api/2.0/group/{groupid}/manager", put(groups::set_manager))
        .route("/api/2.0/project", get(projects::list).post(projects::create))
        .route("/api/2.0/project/@self", get(projects::mine))
        .route("/api/2.0/project/{id}", get(projects::get).put(projects::update).delete(projects::delete))
        .route("/api/2.0/project/{id}/status", put(projects::set_status))
        .route("/api/2.0/project/{id}/team", get(projects::team))
        .route("/api/2.0/project/{id}/contact", post(projects::link_contact).delete(projects::unlink_contact))
        .route("/api/2.0/project/contact/{contactid}", get(projects::of_contact))
        .route("/api/2.0/crm/contact", put(crm::delete_batch))
        .route("/api/2.0/crm/contact/filter", get(crm::filter).delete(crm::delete_by_filter))
        .route("/api/2.0/crm/contact/filter/taglist", post(crm::tag_by_filter))
        .route("/api/2.0/crm/contact/simple/filter", get(crm::simple_filter))
        .route("/api/2.0/crm/contact/simple/byEmail", get(crm::by_email))
        .route("/api/2.0/crm/contact/byprefix", get(crm::by_prefix))
        .route("/api/2.0/crm/contact/bycontactinfo", get(crm::by_contact_info))
        .route("/api/2.0/crm/contact/access", put(crm::set_access_batch))
        .route("/api/2.0/crm/contact/filter/access", put(crm::set_access_by_filter))
        .route("/api/2.0/crm/contact/status", get(crm::statuses).post(crm::create_status))
        .route(
            "/api/2.0/crm/contact/status/{id}",
            get(crm::get_status).put(crm::update_status).delete(crm::delete_status),
        )
        .route("/api/2.0/crm/contact/type", get(crm::types).post(crm::create_type))
        .route("/api/2.0/crm/contact/type/{id}", get(crm::get_type).put(crm::update_type).delete(crm::delete_type))
        .route("/api/2.0/crm/contact/tag", get(crm::all_tags).post(crm::create_tag).delete(crm::delete_tag))
        .route("/api/2.0/crm/contact/tag/unused", delete(crm::delete_unused_tags))
        .route("/api/2.0/crm/contact/tag/{contactid}", get(crm::contact_tags))
        .route("/api/2.0/crm/contact/taglist", post(crm::add_tag_to_many))
        .route("/api/2.0/crm/contact/company/quick", post(crm::quick_companies))
        .route("/api/2.0/crm/contact/person/quick", post(crm::quick_persons))
        .route(
            "/api/2.0/crm/contact/{contactid}/tag",
            get(crm::contact_tags).post(crm::add_tag).delete(crm::remove_tag),
        )
        .route("/api/2.0/crm/contact/{contactid}/status", put(crm::set_status))
        .route("/api/2.0/crm/contact/customfield/definitions", get(crm::field_definitions))
        .route("/api/2.0/crm/contact/customfield", post(crm::create_field))
        .route("/api/2.0/crm/contact/customfield/{id}", put(crm::update_field).delete(crm::delete_field))
        .route("/api/2.0/crm/company/customfield/definitions", get(crm::field_definitions))
        .route("/api/2.0/crm/company/customfield", post(crm::create_field))
        .route("/api/2.0/crm/company/customfield/{id}", put(crm::update_field).delete(crm::delete_field))
        .route("/api/2.0/crm/person/customfield/definitions", get(crm::field_definitions))
        .route("/api/2.0/crm/person/customfield", post(crm::create_field))
        .route("/api/2.0/crm/person/customfield/{id}", put(crm::update_field).delete(crm::delete_field))
        .route("/api/2.0/crm/contact/{contactid}/customfield", get(crm::contact_fields))
        .route("/api/2.0/crm/contact/{contactid}/customfield/{fieldid}", post(crm::set_field))
        .route("/api/2.0/crm/company/{contactid}/customfield", get(crm::contact_fields))
        .route("/api/2.0/crm/company/{contactid}/customfield/{fieldid}", post(crm::set_field))
        .route("/api/2.0/crm/person/{contactid}/customfield", get(crm::contact_fields))
        .route("/api/2.0/crm/person/{contactid}/customfield/{fieldid}", post(crm::set_field))
        .route("/api/2.0/crm/settings/currency", get(crm::currencies))
        .route("/api/2.0/crm/contact/person", post(crm::create_person))
        .route("/api/2.0/crm/contact/person/{personid}", put(crm::update_person))
        .route("/api/2.0/crm/contact/company", post(crm::create_company))
        .route("/api/2.0/crm/contact/company/{companyid}", put(crm::update_company))
        .route(
            "/api/2.0/crm/contact/company/{companyid}/person",
            get(crm::company_persons).post(crm::join_company).delete(crm::leave_company),
        )
        .route("/api/2.0/crm/contact/project/{projectid}", get(crm::of_project).post(crm::link_many))
        .route("/api/2.0/crm/contact/{contactid}", get(crm::get).delete(crm::delete))
        .route("/api/2.0/crm/contact/{contactid}/access", get(crm::get_access).put(crm::set_access))
        .route("/api/2.0/crm/contact/data/infoType", get(crm::info_types))
        .route("/api/2.0/crm/contact/data/{infoType}/category", get(crm::info_categories))
        .route("/api/2.0/crm/contact/{contactid}/data", get(crm::infos).post(crm::add_info))
        .route(
            "/api/2.0/crm/contact/{contactid}/data/{id}",
            get(crm::info).put(crm::update_info).delete(crm::delete_info),
        )
        .route("/api/2.0/crm/contact/{contactid}/batch", post(crm::add_infos).put(crm::replace_infos))
        .route("/api/2.0/crm/contact/{contactid}/addressdata", post(crm::add_address))
        .route("/api/2.0/crm/contact/{contactid}/addressdata/{id}", put(crm::update_address))
        .route("/api/2.0/crm/contact/{contactid}/project/{projectid}", post(crm::link_one).delete(crm::unlink_one))
}

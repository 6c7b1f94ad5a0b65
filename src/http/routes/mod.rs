//! The route table. Each line registers a handler and documents it for
//! `GET api/2.0/openapi.json`: its summary and result's wire type here, its parameters from the
//! inputs the handler's type declares (see `http::inputs`).

mod auth;
mod crm;
mod crm_settings;
mod groups;
mod people;
mod photos;
mod projects;
mod system;

use std::sync::Arc;

use axum::Router;

use super::openapi::{doc, Api, OneOf, Operation, OrVoid};
use super::wire::auth::AuthenticationTokenData;
use super::wire::crm::{
    ContactBaseWithPhoneWrapper, ContactBaseWrapper, ContactInfoWrapper, ContactWithTaskWrapper, ContactWrapper,
    CurrencyInfoWrapper, CustomFieldBaseWrapper, CustomFieldWrapper, ListItemWrapper, TagWrapper,
};
use super::wire::crm_settings::{ContactBaseWithEmailWrapper, CurrencyRateInfoWrapper, CurrencyRateWrapper};
use super::wire::groups::{GroupSummary, GroupWrapperFull};
use super::wire::people::{EmployeeWraper, EmployeeWraperFull, ProgressItem};
use super::wire::photos::ThumbnailsDataWrapper;
use super::wire::projects::{ProjectWrapper, ProjectWrapperFull};
use super::wire::system::Capabilities;
use crate::app::App;

/// The router of every route.
pub fn routes() -> Router<Arc<App>> {
    api().into_parts().0
}

/// The documented operations, in table order.
pub fn operations() -> Vec<Operation> {
    api().into_parts().1
}

// One line per operation, as a table reads best.
#[rustfmt::skip]
fn api() -> Api {
    Api::default()
        .get("/health", system::health, doc("200 when the database answers, 503 otherwise").raw("application/json").public())
        .get("/metrics", system::metrics, doc("Prometheus metrics").raw("text/plain").public())
        .get("/Products/CRM/HttpHandlers/filehandler.ashx", photos::contact_photo_handler, doc("The URL of a contact's photo, as text").raw("text/plain"))
        .get("/Products/People/Profile.aspx", people::profile_page, doc("Where profile links lead: redirects to the profile in the API").raw("text/plain").public())
        .get("/storage/crm/photos/{file}", photos::contact_image, doc("A contact's photo").raw("image/*"))
        .get("/storage/userPhotos/root/{file}", photos::user_image, doc("A user's photo").raw("image/*"))
        .get("/Products/CRM/App_Themes/default/images/{file}", photos::default_contact_image, doc("A default contact image").raw("image/png").public())
        .get("/skins/default/images/{file}", photos::default_user_image, doc("A default user image").raw("image/png").public())
        .get("/api/2.0/openapi", system::openapi, doc("This document").raw("application/json").public())
        .get("/api/2.0/capabilities", system::capabilities, doc("Login options").returns::<Capabilities>().public())
        .post("/api/2.0/authentication", auth::login, doc("A token for a user name or email and password").returns::<AuthenticationTokenData>().public())
        .post("/api/2.0/authentication/logout", auth::logout, doc("Revokes the request's token"))
        .get("/api/2.0/people", people::list, doc("Active users").list::<EmployeeWraperFull>())
        .post("/api/2.0/people", people::add, doc("Adds a user").returns::<EmployeeWraperFull>())
        .get("/api/2.0/people/email", people::by_email, doc("The user with an email").returns::<EmployeeWraperFull>())
        .get("/api/2.0/people/filter", people::filter, doc("Users by status, group, type; paged").list::<EmployeeWraperFull>())
        .get("/api/2.0/people/simple/filter", people::simple_filter, doc("Short profiles by the same filter").list::<EmployeeWraper>())
        .get("/api/2.0/people/search", people::search, doc("Active users matching every word").list::<EmployeeWraperFull>())
        .get("/api/2.0/people/@search/{query}", people::search, doc("Active users matching every word").list::<EmployeeWraperFull>())
        .get("/api/2.0/people/status/{status}", people::by_status, doc("Users with a status").list::<EmployeeWraperFull>())
        .put("/api/2.0/people/status/{status}", people::set_status, doc("Sets users' status").list::<EmployeeWraperFull>())
        .get("/api/2.0/people/status/{status}/search", people::search_by_status, doc("Users with a status matching a text").list::<EmployeeWraperFull>())
        .put("/api/2.0/people/type/{type}", people::set_type, doc("Makes users guests or guests users").list::<EmployeeWraperFull>())
        .put("/api/2.0/people/delete", people::delete_many, doc("Deletes disabled users").list::<EmployeeWraperFull>())
        .put("/api/2.0/people/self/delete", people::self_delete, doc("How the caller deletes his profile").returns::<String>())
        .post("/api/2.0/people/reassign/start", people::reassign_start, doc("Hands a disabled user's data over to another user, in the background").returns::<ProgressItem>())
        .get("/api/2.0/people/reassign/progress", people::reassign_progress, doc("The progress of a user's data handover").returns::<OrVoid<ProgressItem>>())
        .put("/api/2.0/people/reassign/terminate", people::reassign_terminate, doc("Stops a user's data handover"))
        .post("/api/2.0/people/remove/start", people::remove_start, doc("Removes a disabled user's data, in the background").returns::<ProgressItem>())
        .get("/api/2.0/people/remove/progress", people::remove_progress, doc("The progress of a user's data removal").returns::<OrVoid<ProgressItem>>())
        .put("/api/2.0/people/remove/terminate", people::remove_terminate, doc("Stops a user's data removal"))
        .get("/api/2.0/people/{userid}", people::get, doc("A user by id, user name or @self").returns::<EmployeeWraperFull>())
        .put("/api/2.0/people/{userid}", people::update, doc("Changes a profile").returns::<EmployeeWraperFull>())
        .delete("/api/2.0/people/{userid}", people::delete, doc("Deletes a terminated user").returns::<EmployeeWraperFull>())
        .put("/api/2.0/people/{userid}/password", people::change_password, doc("Sets a password").returns::<EmployeeWraperFull>())
        .post("/api/2.0/people/{userid}/contacts", people::set_contacts, doc("Replaces a user's contacts").returns::<EmployeeWraperFull>())
        .put("/api/2.0/people/{userid}/contacts", people::merge_contacts, doc("Adds contacts to a user").returns::<EmployeeWraperFull>())
        .delete("/api/2.0/people/{userid}/contacts", people::remove_contacts, doc("Removes contacts of a user").returns::<EmployeeWraperFull>())
        .get("/api/2.0/people/{userid}/photo", photos::user_photo, doc("The URLs of a user's photo in every size").returns::<ThumbnailsDataWrapper>())
        .put("/api/2.0/people/{userid}/photo", photos::change_user_photo, doc("Sets a user's photo from a URL (or an uploaded file)").returns::<ThumbnailsDataWrapper>())
        .delete("/api/2.0/people/{userid}/photo", photos::delete_user_photo, doc("Removes a user's photo").returns::<ThumbnailsDataWrapper>())
        .post("/api/2.0/people/{userid}/photo/thumbnails", photos::crop_user_photo, doc("Remakes a user's thumbnails from a part of his photo").returns::<ThumbnailsDataWrapper>())
        .get("/api/2.0/group", groups::list, doc("Every group").list::<GroupSummary>())
        .post("/api/2.0/group", groups::create, doc("Adds a group").returns::<GroupWrapperFull>())
        .get("/api/2.0/group/search", groups::search, doc("Groups by name").list::<GroupSummary>())
        .get("/api/2.0/group/user/{userid}", groups::of_user, doc("A user's groups").list::<GroupSummary>())
        .get("/api/2.0/group/{groupid}", groups::get, doc("A group with members").returns::<GroupWrapperFull>())
        .put("/api/2.0/group/{groupid}", groups::update, doc("Changes a group").returns::<GroupWrapperFull>())
        .delete("/api/2.0/group/{groupid}", groups::delete, doc("Deletes a group").returns::<GroupWrapperFull>())
        .post("/api/2.0/group/{groupid}/members", groups::set_members, doc("Replaces the members").returns::<GroupWrapperFull>())
        .put("/api/2.0/group/{groupid}/members", groups::add_members, doc("Adds members").returns::<GroupWrapperFull>())
        .delete("/api/2.0/group/{groupid}/members", groups::remove_members, doc("Removes members").returns::<GroupWrapperFull>())
        .put("/api/2.0/group/{groupid}/members/{newgroupid}", groups::move_members, doc("Moves every member to another group").returns::<GroupWrapperFull>())
        .put("/api/2.0/group/{groupid}/manager", groups::set_manager, doc("Sets the manager").returns::<GroupWrapperFull>())
        .get("/api/2.0/project", projects::list, doc("Projects the caller sees").list::<ProjectWrapper>())
        .post("/api/2.0/project", projects::create, doc("Adds a project").returns::<ProjectWrapperFull>())
        .get("/api/2.0/project/@self", projects::mine, doc("The caller's open projects").list::<ProjectWrapper>())
        .get("/api/2.0/project/{id}", projects::get, doc("A project (or, for open/paused/closed, a list)").returns::<ProjectWrapperFull>())
        .put("/api/2.0/project/{id}", projects::update, doc("Changes a project").returns::<ProjectWrapperFull>())
        .delete("/api/2.0/project/{id}", projects::delete, doc("Deletes a project").returns::<ProjectWrapperFull>())
        .put("/api/2.0/project/{id}/status", projects::set_status, doc("Sets a project's status").returns::<ProjectWrapperFull>())
        .get("/api/2.0/project/{id}/team", projects::team, doc("A project's team").list::<EmployeeWraperFull>())
        .post("/api/2.0/project/{id}/contact", projects::link_contact, doc("Links a contact").returns::<ProjectWrapperFull>())
        .delete("/api/2.0/project/{id}/contact", projects::unlink_contact, doc("Unlinks a contact").returns::<ProjectWrapperFull>())
        .get("/api/2.0/project/contact/{contactid}", projects::of_contact, doc("Projects a contact is linked to").list::<ProjectWrapperFull>())
        .put("/api/2.0/crm/contact", crm::delete_batch, doc("Deletes contacts by id").list::<ContactBaseWrapper>())
        .get("/api/2.0/crm/contact/filter", crm::filter, doc("Contacts by filter; paged").list::<ContactWrapper>())
        .delete("/api/2.0/crm/contact/filter", crm::delete_by_filter, doc("Deletes the contacts a filter selects").list::<ContactBaseWrapper>())
        .post("/api/2.0/crm/contact/filter/taglist", crm::tag_by_filter, doc("Tags the contacts a filter selects").returns::<String>())
        .get("/api/2.0/crm/contact/simple/filter", crm::simple_filter, doc("Contacts by filter, with tasks; paged").list::<ContactWithTaskWrapper>())
        .get("/api/2.0/crm/contact/simple/byEmail", crm::by_email, doc("Contacts by email").list::<ContactWithTaskWrapper>())
        .get("/api/2.0/crm/contact/byprefix", crm::by_prefix, doc("Contacts by name prefix").list::<ContactBaseWithPhoneWrapper>())
        .get("/api/2.0/crm/contact/bycontactinfo", crm::by_contact_info, doc("Contacts by a detail").list::<ContactWrapper>())
        .put("/api/2.0/crm/contact/merge", crm::merge, doc("Merges a contact into another").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/access", crm::set_access_batch, doc("Sets access to contacts").list::<ContactWrapper>())
        .put("/api/2.0/crm/contact/filter/access", crm::set_access_by_filter, doc("Sets access to the contacts a filter selects").list::<ContactWrapper>())
        .get("/api/2.0/crm/contact/status", crm::statuses, doc("Contact statuses").list::<ListItemWrapper>())
        .post("/api/2.0/crm/contact/status", crm::create_status, doc("Adds a contact status").returns::<ListItemWrapper>())
        .get("/api/2.0/crm/contact/status/{id}", crm::get_status, doc("A contact status").returns::<ListItemWrapper>())
        .put("/api/2.0/crm/contact/status/{id}", crm::update_status, doc("Changes a contact status").returns::<ListItemWrapper>())
        .delete("/api/2.0/crm/contact/status/{id}", crm::delete_status, doc("Deletes a contact status").returns::<ListItemWrapper>())
        .get("/api/2.0/crm/contact/type", crm::types, doc("Contact types").list::<ListItemWrapper>())
        .post("/api/2.0/crm/contact/type", crm::create_type, doc("Adds a contact type").returns::<ListItemWrapper>())
        .get("/api/2.0/crm/contact/type/{id}", crm::get_type, doc("A contact type").returns::<ListItemWrapper>())
        .put("/api/2.0/crm/contact/type/{id}", crm::update_type, doc("Changes a contact type").returns::<ListItemWrapper>())
        .delete("/api/2.0/crm/contact/type/{id}", crm::delete_type, doc("Deletes a contact type").returns::<ListItemWrapper>())
        .get("/api/2.0/crm/contact/tag", crm::all_tags, doc("Every contact tag with its use count").list::<TagWrapper>())
        .post("/api/2.0/crm/contact/tag", crm::create_tag, doc("Adds a tag").returns::<String>())
        .delete("/api/2.0/crm/contact/tag", crm::delete_tag, doc("Deletes a tag").returns::<String>())
        .delete("/api/2.0/crm/contact/tag/unused", crm::delete_unused_tags, doc("Deletes unused tags").list::<String>())
        .get("/api/2.0/crm/contact/tag/{contactid}", crm::contact_tags, doc("A contact's tags").list::<String>())
        .post("/api/2.0/crm/contact/taglist", crm::add_tag_to_many, doc("Tags contacts").returns::<String>())
        .post("/api/2.0/crm/contact/company/quick", crm::quick_companies, doc("Adds companies by name").returns::<OrVoid<Vec<ContactBaseWrapper>>>())
        .post("/api/2.0/crm/contact/person/quick", crm::quick_persons, doc("Adds persons by name").returns::<OrVoid<Vec<ContactBaseWrapper>>>())
        .get("/api/2.0/crm/contact/{contactid}/tag", crm::contact_tags, doc("A contact's tags").list::<String>())
        .post("/api/2.0/crm/contact/{contactid}/tag", crm::add_tag, doc("Tags a contact").returns::<String>())
        .delete("/api/2.0/crm/contact/{contactid}/tag", crm::remove_tag, doc("Untags a contact").returns::<String>())
        .put("/api/2.0/crm/contact/{contactid}/status", crm::set_status, doc("Sets a contact's status").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/{contactid}/changephoto", photos::change_contact_photo, doc("Sets a contact's photo from an uploaded image; the URL of its big size").returns::<String>())
        .put("/api/2.0/crm/contact/{contactid}/changephotobyurl", photos::change_contact_photo_by_url, doc("Sets a contact's photo from a URL the server fetches").returns::<String>())
        .delete("/api/2.0/crm/contact/{contactid}/avatar", photos::delete_contact_photo, doc("Removes a contact's photo; the URL of the default image").returns::<String>())
        .put("/api/2.0/crm/contact/company/{companyid}/status", crm::set_company_status, doc("Sets the status of a company and its persons").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/person/{personid}/status", crm::set_person_status, doc("Sets the status of a person and of his company with its persons").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/{contactid}/creationdate", crm::set_creation_date, doc("Sets a contact's creation date"))
        .put("/api/2.0/crm/contact/{contactid}/lastmodifeddate", crm::set_modified_date, doc("Sets a contact's last change date"))
        .get("/api/2.0/crm/contact/customfield/definitions", crm::field_definitions, doc("Custom fields of contacts").list::<CustomFieldWrapper>())
        .post("/api/2.0/crm/contact/customfield", crm::create_field, doc("Adds a custom field").returns::<CustomFieldWrapper>())
        .put("/api/2.0/crm/contact/customfield/{id}", crm::update_field, doc("Changes a custom field").returns::<CustomFieldWrapper>())
        .delete("/api/2.0/crm/contact/customfield/{id}", crm::delete_field, doc("Deletes a custom field").returns::<CustomFieldWrapper>())
        .get("/api/2.0/crm/company/customfield/definitions", crm::field_definitions, doc("Custom fields of companies").list::<CustomFieldWrapper>())
        .post("/api/2.0/crm/company/customfield", crm::create_field, doc("Adds a company field").returns::<CustomFieldWrapper>())
        .put("/api/2.0/crm/company/customfield/{id}", crm::update_field, doc("Changes a company field").returns::<CustomFieldWrapper>())
        .delete("/api/2.0/crm/company/customfield/{id}", crm::delete_field, doc("Deletes a company field").returns::<CustomFieldWrapper>())
        .get("/api/2.0/crm/person/customfield/definitions", crm::field_definitions, doc("Custom fields of persons").list::<CustomFieldWrapper>())
        .post("/api/2.0/crm/person/customfield", crm::create_field, doc("Adds a person field").returns::<CustomFieldWrapper>())
        .put("/api/2.0/crm/person/customfield/{id}", crm::update_field, doc("Changes a person field").returns::<CustomFieldWrapper>())
        .delete("/api/2.0/crm/person/customfield/{id}", crm::delete_field, doc("Deletes a person field").returns::<CustomFieldWrapper>())
        .get("/api/2.0/crm/contact/{contactid}/customfield", crm::contact_fields, doc("A contact's field values").list::<CustomFieldBaseWrapper>())
        .post("/api/2.0/crm/contact/{contactid}/customfield/{fieldid}", crm::set_field, doc("Sets a field value").returns::<CustomFieldBaseWrapper>())
        .get("/api/2.0/crm/company/{contactid}/customfield", crm::contact_fields, doc("A company's field values").list::<CustomFieldBaseWrapper>())
        .post("/api/2.0/crm/company/{contactid}/customfield/{fieldid}", crm::set_field, doc("Sets a company field value").returns::<CustomFieldBaseWrapper>())
        .get("/api/2.0/crm/person/{contactid}/customfield", crm::contact_fields, doc("A person's field values").list::<CustomFieldBaseWrapper>())
        .post("/api/2.0/crm/person/{contactid}/customfield/{fieldid}", crm::set_field, doc("Sets a person field value").returns::<CustomFieldBaseWrapper>())
        .get("/api/2.0/crm/settings/currency", crm::currencies, doc("Currencies").list::<CurrencyInfoWrapper>())
        .post("/api/2.0/crm/contact/person", crm::create_person, doc("Adds a person").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/person/{personid}", crm::update_person, doc("Changes a person").returns::<ContactWrapper>())
        .post("/api/2.0/crm/contact/company", crm::create_company, doc("Adds a company").returns::<ContactWrapper>())
        .put("/api/2.0/crm/contact/company/{companyid}", crm::update_company, doc("Changes a company").returns::<ContactWrapper>())
        .get("/api/2.0/crm/contact/company/{companyid}/person", crm::company_persons, doc("A company's persons").list::<ContactWrapper>())
        .post("/api/2.0/crm/contact/company/{companyid}/person", crm::join_company, doc("Adds a person to a company").returns::<ContactWrapper>())
        .delete("/api/2.0/crm/contact/company/{companyid}/person", crm::leave_company, doc("Removes a person from a company").returns::<ContactWrapper>())
        .get("/api/2.0/crm/contact/project/{projectid}", crm::of_project, doc("Contacts linked to a project").list::<ContactWrapper>())
        .post("/api/2.0/crm/contact/project/{projectid}", crm::link_many, doc("Links contacts to a project").list::<ContactWrapper>())
        .get("/api/2.0/crm/contact/{contactid}", crm::get, doc("A contact").returns::<ContactWrapper>())
        .delete("/api/2.0/crm/contact/{contactid}", crm::delete, doc("Deletes a contact").returns::<ContactWrapper>())
        .get("/api/2.0/crm/contact/{contactid}/access", crm::get_access, doc("The managers of a private contact").list::<EmployeeWraper>())
        .put("/api/2.0/crm/contact/{contactid}/access", crm::set_access, doc("Sets access to a contact").returns::<ContactWrapper>())
        .get("/api/2.0/crm/contact/data/infoType", crm::info_types, doc("Detail types").list::<String>())
        .get("/api/2.0/crm/contact/data/{infoType}/category", crm::info_categories, doc("Categories of a detail type").list::<String>())
        .get("/api/2.0/crm/contact/{contactid}/data", crm::infos, doc("A contact's details").list::<ContactInfoWrapper>())
        .post("/api/2.0/crm/contact/{contactid}/data", crm::add_info, doc("Adds a detail").returns::<ContactInfoWrapper>())
        .get("/api/2.0/crm/contact/{contactid}/data/{id}", crm::info, doc("A detail by id, or by a type's name the data of every detail of that type").returns::<OneOf<ContactInfoWrapper, Vec<String>>>())
        .put("/api/2.0/crm/contact/{contactid}/data/{id}", crm::update_info, doc("Changes a detail").returns::<ContactInfoWrapper>())
        .delete("/api/2.0/crm/contact/{contactid}/data/{id}", crm::delete_info, doc("Deletes a detail").returns::<ContactInfoWrapper>())
        .post("/api/2.0/crm/contact/{contactid}/batch", crm::add_infos, doc("Adds details").list::<ContactInfoWrapper>())
        .put("/api/2.0/crm/contact/{contactid}/batch", crm::replace_infos, doc("Replaces the details").list::<ContactInfoWrapper>())
        .post("/api/2.0/crm/contact/{contactid}/addressdata", crm::add_address, doc("Adds an address").returns::<ContactInfoWrapper>())
        .put("/api/2.0/crm/contact/{contactid}/addressdata/{id}", crm::update_address, doc("Changes an address").returns::<ContactInfoWrapper>())
        .post("/api/2.0/crm/contact/{contactid}/project/{projectid}", crm::link_one, doc("Links a contact to a project").returns::<ContactWrapper>())
        .delete("/api/2.0/crm/contact/{contactid}/project/{projectid}", crm::unlink_one, doc("Unlinks a contact from a project").returns::<ContactBaseWrapper>())
        .put("/api/2.0/crm/contact/status/{id}/color", crm_settings::status_color, doc("Sets a contact status's color").returns::<ListItemWrapper>())
        .put("/api/2.0/crm/contact/status/reorder", crm_settings::reorder_statuses, doc("Orders contact statuses by title").list::<ListItemWrapper>())
        .put("/api/2.0/crm/contact/type/reorder", crm_settings::reorder_types, doc("Orders contact types by title").list::<ListItemWrapper>())
        .put("/api/2.0/crm/contact/customfield/reorder", crm_settings::reorder_fields, doc("Orders custom fields of contacts").list::<CustomFieldBaseWrapper>())
        .put("/api/2.0/crm/person/customfield/reorder", crm_settings::reorder_fields, doc("Orders custom fields of persons").list::<CustomFieldBaseWrapper>())
        .put("/api/2.0/crm/company/customfield/reorder", crm_settings::reorder_fields, doc("Orders custom fields of companies").list::<CustomFieldBaseWrapper>())
        .put("/api/2.0/crm/contact/status/settings", crm_settings::status_settings, doc("Whether a company's status goes to its persons (none: ask)").returns::<OrVoid<bool>>())
        .put("/api/2.0/crm/contact/tag/settings", crm_settings::tag_settings, doc("Whether a company's tags go to its persons (none: ask)").returns::<OrVoid<bool>>())
        .put("/api/2.0/crm/contact/mailtohistory/settings", crm_settings::mail_settings, doc("Whether mail to a contact is written to its history").returns::<bool>())
        .post("/api/2.0/crm/company/{contactid}/tag/group", crm_settings::add_group_tag, doc("Tags a company and its persons").returns::<String>())
        .delete("/api/2.0/crm/company/{contactid}/tag/group", crm_settings::remove_group_tag, doc("Untags a company and its persons").returns::<String>())
        .post("/api/2.0/crm/person/{contactid}/tag/group", crm_settings::add_group_tag, doc("Tags a person, his company and its persons").returns::<String>())
        .delete("/api/2.0/crm/person/{contactid}/tag/group", crm_settings::remove_group_tag, doc("Untags a person, his company and its persons").returns::<String>())
        .get("/api/2.0/crm/settings/currency/convert", crm_settings::convert, doc("An amount converted by the portal's rates").returns::<f64>())
        .get("/api/2.0/crm/settings/currency/summarytable", crm_settings::summary_table, doc("What one of a currency is worth in the others").list::<CurrencyRateInfoWrapper>())
        .put("/api/2.0/crm/settings/currency", crm_settings::set_default_currency, doc("Sets the portal's default currency").returns::<CurrencyInfoWrapper>())
        .get("/api/2.0/crm/currency/rates", crm_settings::rates, doc("The portal's exchange rates").list::<CurrencyRateWrapper>())
        .post("/api/2.0/crm/currency/rates", crm_settings::create_rate, doc("Adds or changes the rate of a pair").returns::<CurrencyRateWrapper>())
        .post("/api/2.0/crm/currency/setrates", crm_settings::set_rates, doc("Replaces the rates and sets the default currency").list::<CurrencyRateWrapper>())
        .post("/api/2.0/crm/currency/addrates", crm_settings::add_rates, doc("Adds or changes the rates of pairs").list::<CurrencyRateWrapper>())
        .get("/api/2.0/crm/currency/rates/{id}", crm_settings::rate, doc("An exchange rate").returns::<CurrencyRateWrapper>())
        .get("/api/2.0/crm/currency/rates/{fromCurrency}/{toCurrency}", crm_settings::rate_of_pair, doc("The rate of a pair").returns::<CurrencyRateWrapper>())
        .put("/api/2.0/crm/currency/rates/{id}", crm_settings::update_rate, doc("Changes an exchange rate").returns::<CurrencyRateWrapper>())
        .delete("/api/2.0/crm/currency/rates/{id}", crm_settings::delete_rate, doc("Deletes an exchange rate").returns::<CurrencyRateWrapper>())
        .get("/api/2.0/crm/contact/mail", crm_settings::mail_contacts, doc("Contacts with their primary email, for mail merge").list::<ContactBaseWithEmailWrapper>())
}

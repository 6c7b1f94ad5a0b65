//! The web console in a real headless Chromium (Debian's `chromium` and `chromium-driver`),
//! driven over WebDriver: what a person does in it, checked in the page and in the API. Every
//! screen is also checked with axe-core (no serious or critical violation), at 360 px wide (no
//! sideways scrolling), and photographed into `target/screenshots` (`docs/screenshots` with
//! `UPDATE_SCREENSHOTS=1`). Without chromedriver or axe-core the tests say so and pass, except
//! under `CI=true`, where that is a failure.

mod common;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{spawn, Role, TestServer, OWNER_EMAIL, OWNER_PASSWORD};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::{json, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
/// How long to wait for the page to show something: generous, as two cores run many tests.
const PATIENCE: Duration = Duration::from_secs(30);
const WIDE: (u32, u32) = (1280, 900);
const NARROW: (u32, u32) = (360, 800);

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js")
}

/// What the tests need that a machine may lack; `None` when all is there.
fn missing() -> Option<String> {
    if !Path::new(CHROMEDRIVER).exists() || !Path::new(CHROMIUM).exists() {
        return Some(format!("{CHROMEDRIVER} or {CHROMIUM} is missing (apt-get install chromium chromium-driver)"));
    }
    if !axe_path().exists() {
        return Some("axe-core is missing (run `npm ci` in tests/browser)".into());
    }
    None
}

/// A chromedriver on a free port, stopped with the value.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let url = format!("http://127.0.0.1:{port}");
        let driver = Driver { child, url };
        let status = format!("{}/status", driver.url);
        for _ in 0..300 {
            if reqwest::get(&status).await.is_ok_and(|r| r.status().is_success()) {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer on {}", driver.url);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session on a fresh server.
struct Browser {
    page: Client,
    server: TestServer,
    axe: String,
}

/// Runs `scenario` in a browser on a fresh server, or says why it cannot run. The session is
/// closed even when the scenario fails, so no Chromium outlives the test.
async fn in_browser<F, Fut>(scenario: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    if let Some(why) = missing() {
        assert!(!under_ci(), "the browser tests cannot run under CI: {why}");
        eprintln!("skipped: the browser tests need Chromium and axe-core: {why}");
        return;
    }
    let driver = Driver::start().await;
    let mut capabilities = serde_json::Map::new();
    let args = ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"];
    capabilities.insert("goog:chromeOptions".into(), json!({"binary": CHROMIUM, "args": args}));
    let page = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    let session = page.clone();
    let axe = std::fs::read_to_string(axe_path()).expect("axe-core readable");
    let browser = Browser { page, server: spawn().await, axe };
    let outcome = tokio::spawn(scenario(browser)).await;
    let _ = session.close().await;
    drop(driver);
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// An XPath string literal of `text` (which holds no double quote).
fn lit(text: &str) -> String {
    format!("\"{text}\"")
}

impl Browser {
    fn api(&self) -> &TestServer {
        &self.server
    }

    async fn open(&self, hash: &str) {
        self.page.goto(&format!("{}/{hash}", self.server.base)).await.expect("page opens");
    }

    async fn wait_for(&self, xpath: &str) -> Element {
        self.page
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(xpath))
            .await
            .unwrap_or_else(|e| panic!("the page never showed {xpath}: {e}"))
    }

    /// Waits until nothing matches `xpath`.
    async fn wait_gone(&self, xpath: &str) {
        for _ in 0..300 {
            if self.page.find_all(Locator::XPath(xpath)).await.expect("search").is_empty() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page kept showing {xpath}");
    }

    /// The control whose visible label is `label`.
    async fn field(&self, label: &str) -> Element {
        self.wait_for(&format!("//*[@id=//label[normalize-space()={}]/@for]", lit(label))).await
    }

    async fn type_into(&self, label: &str, text: &str) {
        self.field(label).await.send_keys(text).await.expect("typing");
    }

    /// Clicks the button or link whose accessible name is `name`, inside `scope` (an XPath).
    async fn click_in(&self, scope: &str, name: &str) {
        let name = lit(name);
        let xpath =
            format!("{scope}//*[(self::button or self::a) and (normalize-space()={name} or @aria-label={name})]");
        self.wait_for(&xpath).await.click().await.expect("click");
    }

    async fn click(&self, name: &str) {
        self.click_in("", name).await;
    }

    /// Waits for an element whose own text contains `text`.
    async fn see(&self, text: &str) -> Element {
        self.wait_for(&format!("//*[text()[contains(., {})]]", lit(text))).await
    }

    /// Makes the page's next `times` calls to a path containing `path` answer `status` with
    /// `body` (and `Retry-After: 1`) without reaching the server, as a busy or failing server would.
    async fn fail_next_calls(&self, path: &str, times: u32, status: u16, body: &str) {
        let script = "const [path, times, status, body] = arguments;
            const real = window.fetch;
            let left = times;
            window.fetch = (url, options) => String(url).includes(path) && left-- > 0
                ? Promise.resolve(new Response(body, { status, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' } }))
                : real(url, options);";
        self.page
            .execute(script, vec![json!(path), json!(times), json!(status), json!(body)])
            .await
            .expect("fetch wrapped");
    }

    async fn sign_out(&self) {
        self.click("Sign out").await;
        self.wait_for("//h1[normalize-space()='Sign in to portald']").await;
    }

    async fn sign_in(&self, email: &str, password: &str) {
        self.open("").await;
        self.type_into("Email", email).await;
        self.type_into("Password", password).await;
        self.click("Sign in").await;
        self.wait_for("//button[normalize-space()='Sign out']").await;
    }

    /// Checks the screen on show: axe-core finds no serious or critical violation, nothing
    /// scrolls sideways at 360 px, and its picture is taken.
    async fn check_screen(&self, name: &str) {
        self.page.execute(&format!("{}\nreturn true;", self.axe), vec![]).await.expect("axe-core injected");
        let found = self
            .page
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations
                   .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                   .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)));",
                vec![],
            )
            .await
            .expect("axe-core ran");
        assert_eq!(found, json!([]), "axe-core on the {name} screen");
        self.screenshot(name).await;
        self.page.set_window_size(NARROW.0, NARROW.1).await.expect("narrow window");
        let overflow = self
            .page
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
            .await
            .expect("measured");
        assert!(overflow.as_i64().unwrap_or(1) <= 0, "the {name} screen scrolls sideways at 360 px by {overflow}");
        self.screenshot(&format!("{name}-360")).await;
        self.page.set_window_size(WIDE.0, WIDE.1).await.expect("wide window");
    }

    async fn screenshot(&self, name: &str) {
        let png = self.page.screenshot().await.expect("screenshot");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let folder = if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
            root.join("docs/screenshots")
        } else {
            std::env::var("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|_| root.join("target"))
                .join("screenshots")
        };
        std::fs::create_dir_all(&folder).expect("screenshot folder");
        std::fs::write(folder.join(format!("{name}.png")), png).expect("screenshot saved");
    }

    /// Adds a person through the API with optional email and tag; returns his id.
    async fn person(&self, token: &str, first: &str, last: &str) -> i64 {
        let body = json!({"firstName": first, "lastName": last, "isShared": true});
        let id = self.api().call(token, Method::POST, "crm/contact/person", body).await.id();
        let email =
            json!({"infoType": "Email", "category": "Work", "data": format!("{first}@{last}.example").to_lowercase()});
        self.api().call(token, Method::POST, &format!("crm/contact/{id}/data"), email).await.json_ok();
        id
    }

    async fn contact_total(&self, token: &str, search: &str) -> i64 {
        let answer = self.api().get(&format!("crm/contact/filter?filterValue={search}"), token).await;
        answer.json_ok()["total"].as_i64().unwrap_or(0)
    }
}

#[tokio::test]
async fn signing_in_shows_mistakes_in_words_and_signing_out_ends_the_session() {
    in_browser(|b| async move {
        b.open("").await;
        b.wait_for("//h1[normalize-space()='Sign in to portald']").await;
        b.check_screen("sign-in").await;
        b.type_into("Email", OWNER_EMAIL).await;
        b.type_into("Password", "not the password").await;
        b.click("Sign in").await;
        let problem = b.wait_for("//p[@role='alert' and not(@hidden)]").await.text().await.expect("text");
        assert!(!problem.is_empty() && !problem.contains('{'), "a sentence, not JSON: {problem}");

        b.field("Password").await.clear().await.expect("cleared");
        b.type_into("Password", OWNER_PASSWORD).await;
        b.click("Sign in").await;
        b.wait_for("//h1[normalize-space()='Contacts']").await;
        let cookies = b.page.get_all_cookies().await.expect("cookies");
        let session = cookies.iter().find(|c| c.name() == "asc_auth_key").expect("the session cookie");
        assert_eq!(session.http_only(), Some(true), "the page's scripts cannot read the token");
        let token = session.value().to_string();
        assert!(b.api().get("people/@self", &token).await.status.is_success());

        b.sign_out().await;
        assert_eq!(b.api().get("people/@self", &token).await.status, 401, "the token is revoked");
        b.open("#/contacts").await;
        b.wait_for("//h1[normalize-space()='Sign in to portald']").await;
    })
    .await;
}

#[tokio::test]
async fn a_contact_is_found_by_searching_as_one_types() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        for (first, last) in [("Alice", "Smithson"), ("Bob", "Jones"), ("Carol", "Smithson")] {
            b.person(&token, first, last).await;
        }
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.see("of 3 contacts").await;
        b.check_screen("contacts").await;
        b.type_into("Search contacts", "smiths").await;
        b.see("of 2 contacts").await;
        b.wait_gone("//a[normalize-space()='Bob Jones']").await;
        b.wait_for("//a[normalize-space()='Alice Smithson']").await;
        b.wait_for("//a[normalize-space()='Carol Smithson']").await;

        // A busy server (503 with Retry-After) is asked again, unseen.
        b.fail_next_calls("crm/contact/filter", 1, 503, "{}").await;
        b.field("Search contacts").await.clear().await.expect("cleared");
        // Fewer than three characters do not search (the text index needs three).
        b.type_into("Search contacts", "bo").await;
        b.see("of 3 contacts").await;
        b.type_into("Search contacts", "b").await;
        b.see("of 1 contact").await;
        b.click("Bob Jones").await;
        b.wait_for("//h1[normalize-space()='Bob Jones']").await;
        b.see("bob@jones.example").await;
    })
    .await;
}

#[tokio::test]
async fn a_person_is_created_with_an_email_and_a_tag() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("New person").await;
        b.wait_for("//h1[normalize-space()='New person']").await;
        b.check_screen("person-form").await;
        b.type_into("First name", "Dana").await;
        b.type_into("Last name", "Whitfield").await;
        b.type_into("Job title", "Buyer").await;
        b.type_into("Email", "dana@whitfield.example").await;
        b.type_into("Tag", "lead").await;
        b.click("Create person").await;
        b.wait_for("//h1[normalize-space()='Dana Whitfield']").await;
        b.see("dana@whitfield.example").await;
        b.wait_for("//span[@class='tag' and normalize-space()='lead']").await;

        let found = b.api().get("crm/contact/filter?filterValue=Whitfield", &token).await.json_ok();
        assert_eq!(found["total"], 1);
        let person = &found["response"][0];
        assert_eq!(person["firstName"], "Dana");
        assert_eq!(person["title"], "Buyer");
        assert_eq!(person["tags"], json!(["lead"]));
        let emails: Vec<&Value> =
            person["commonData"].as_array().unwrap().iter().filter(|d| d["infoType"] == 1).collect();
        assert_eq!(emails.len(), 1);
        assert_eq!(emails[0]["data"], "dana@whitfield.example");
        b.check_screen("contact").await;
    })
    .await;
}

#[tokio::test]
async fn a_contact_made_private_with_one_manager_is_hidden_from_another_user() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let (_, manager_token) = b.api().add_user_and_login("manny", Role::User).await;
        let (_, other_email, other_password) = b.api().add_user("otto", Role::User).await;
        let other_token = b.api().login(&other_email, &other_password).await;
        let id = b.person(&token, "Sam", "Secretary").await;
        assert_eq!(b.contact_total(&other_token, "Secretary").await, 1, "shared at first");

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open(&format!("#/contact/{id}")).await;
        b.click("Change access").await;
        b.wait_for("//dialog//label[contains(., 'Only these managers')]/input").await.click().await.expect("private");
        b.wait_for("//dialog//label[contains(., 'manny')]/input").await.click().await.expect("manager chosen");
        b.check_screen("access").await;
        b.click_in("//dialog", "Save access").await;
        b.see("Private: only manny").await;

        assert_eq!(b.contact_total(&manager_token, "Secretary").await, 1, "the manager sees it");
        assert_eq!(b.contact_total(&other_token, "Secretary").await, 0, "another user does not");
        b.sign_out().await;
        b.sign_in(&other_email, &other_password).await;
        b.type_into("Search contacts", "Secretary").await;
        b.see("No contact matches.").await;
    })
    .await;
}

#[tokio::test]
async fn three_selected_contacts_are_deleted_after_a_confirmation_naming_how_many() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        for first in ["Ann", "Ben", "Cid", "Dot"] {
            b.person(&token, first, "Cleanup").await;
        }
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.see("of 4 contacts").await;
        for first in ["Ann", "Ben", "Cid"] {
            b.wait_for(&format!("//input[@aria-label='Select {first} Cleanup']"))
                .await
                .click()
                .await
                .expect("selected");
        }
        b.see("3 contacts selected").await;
        b.click_in("//*[@role='group']", "Delete").await;
        b.wait_for("//dialog/h2[normalize-space()='Delete 3 contacts?']").await;
        b.check_screen("delete-confirmation").await;
        b.click_in("//dialog", "Delete").await;
        b.see("of 1 contact").await;
        b.wait_for("//a[normalize-space()='Dot Cleanup']").await;
        assert_eq!(b.contact_total(&token, "Cleanup").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_contact_is_linked_to_a_project_and_unlinked() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let owner = b.api().get("people/@self", &token).await.json_ok()["response"]["id"].clone();
        let project = json!({"title": "Harbour Bridge", "responsibleId": owner});
        let project = b.api().call(&token, Method::POST, "project", project).await.id();
        let id = b.person(&token, "Lin", "Kedge").await;
        let linked = |b: &Browser| {
            let path = format!("project/contact/{id}");
            let token = token.clone();
            let api = b.api().api.clone();
            async move { api.get(&path, &token).await.json_ok()["response"].as_array().map_or(0, Vec::len) }
        };

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open(&format!("#/contact/{id}")).await;
        b.see("Linked to no project.").await;
        b.field("Project to link").await.select_by_label("Harbour Bridge").await.expect("chosen");
        b.click("Link").await;
        b.wait_for("//button[@aria-label='Unlink Harbour Bridge']").await;
        assert_eq!(linked(&b).await, 1);

        b.open(&format!("#/project/{project}")).await;
        b.wait_for("//a[normalize-space()='Lin Kedge']").await;
        b.check_screen("project").await;
        b.open(&format!("#/contact/{id}")).await;
        b.click("Unlink Harbour Bridge").await;
        b.see("Linked to no project.").await;
        assert_eq!(linked(&b).await, 0);
        b.open("#/projects").await;
        b.wait_for("//a[normalize-space()='Harbour Bridge']").await;
        b.check_screen("projects").await;
    })
    .await;
}

#[tokio::test]
async fn a_contact_entry_is_removed_from_ones_own_profile() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let entries =
            json!({"contacts": [{"type": "skype", "value": "owner.skype"}, {"type": "phone", "value": "+1 555 0100"}]});
        b.api().call(&token, Method::POST, "people/@self/contacts", entries).await.json_ok();

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("My profile").await;
        b.see("owner.skype").await;
        b.check_screen("profile").await;
        b.click("Remove Skype owner.skype").await;
        b.wait_gone("//*[text()[contains(., 'owner.skype')]]").await;
        b.see("+1 555 0100").await;
        let me = b.api().get("people/@self", &token).await.json_ok();
        assert_eq!(me["response"]["contacts"], json!([{"type": "phone", "value": "+1 555 0100"}]));

        b.click("People").await;
        b.wait_for("//h1[normalize-space()='People']").await;
        b.see("1 person").await;
        b.check_screen("people").await;
    })
    .await;
}

#[tokio::test]
async fn a_company_is_created_renamed_and_found_by_its_kind() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        b.person(&token, "Pat", "Loner").await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("New company").await;
        b.type_into("Company name", "Northwind Traders").await;
        b.type_into("Email", "info@northwind.example").await;
        b.type_into("Tag", "wholesale").await;
        b.click("Create company").await;
        b.wait_for("//h1[normalize-space()='Northwind Traders']").await;
        b.see("info@northwind.example").await;

        b.click("Edit").await;
        b.wait_for("//h1[normalize-space()='Edit Northwind Traders']").await;
        b.field("Company name").await.clear().await.expect("cleared");
        b.type_into("Company name", "Northwind Ltd").await;
        b.click("Save").await;
        b.wait_for("//h1[normalize-space()='Northwind Ltd']").await;
        let found = b.api().get("crm/contact/filter?contactListView=Company", &token).await.json_ok();
        assert_eq!(found["total"], 1);
        assert_eq!(found["response"][0]["displayName"], "Northwind Ltd");
        assert_eq!(found["response"][0]["tags"], json!(["wholesale"]));

        b.click("Contacts").await;
        b.see("of 2 contacts").await;
        b.field("Show").await.select_by_label("Companies").await.expect("chosen");
        b.see("of 1 contact").await;
        b.wait_gone("//a[normalize-space()='Pat Loner']").await;
        b.wait_for("//a[normalize-space()='Northwind Ltd']").await;
    })
    .await;
}

#[tokio::test]
async fn a_failed_save_says_why_in_words_and_keeps_what_was_typed() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("New person").await;
        b.type_into("First name", "Eve").await;
        b.type_into("Last name", "Keeper").await;
        b.type_into("Email", "eve@keeper.example").await;
        let refusal = r#"{"status":1,"statusCode":400,"error":{"message":"The last name is too long","hresult":0}}"#;
        b.fail_next_calls("crm/contact/person", 1, 400, refusal).await;
        b.click("Create person").await;
        let said = b.wait_for("//p[@role='alert' and not(@hidden)]").await.text().await.expect("text");
        assert_eq!(said, "The last name is too long");
        assert_eq!(b.field("Last name").await.prop("value").await.expect("value").as_deref(), Some("Keeper"));
        assert_eq!(b.field("Email").await.prop("value").await.expect("value").as_deref(), Some("eve@keeper.example"));
        assert_eq!(b.contact_total(&token, "Keeper").await, 0);

        b.click("Create person").await;
        b.wait_for("//h1[normalize-space()='Eve Keeper']").await;
        assert_eq!(b.contact_total(&token, "Keeper").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_detail_is_added_and_removed_and_a_duplicate_merged() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let kept = b.person(&token, "Max", "Mustermann").await;
        let duplicate = json!({"firstName": "Max", "lastName": "Mustermann", "isShared": true});
        let duplicate = b.api().call(&token, Method::POST, "crm/contact/person", duplicate).await.id();
        let email = json!({"infoType": "Email", "category": "Home", "data": "max@elsewhere.example"});
        b.api().call(&token, Method::POST, &format!("crm/contact/{duplicate}/data"), email).await.json_ok();

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open(&format!("#/contact/{kept}")).await;
        b.field("Kind").await.select_by_label("Phone").await.expect("kind");
        b.wait_for("//select[option='Mobile']").await;
        b.field("Category").await.select_by_label("Mobile").await.expect("category");
        b.type_into("Value", "+49 30 1234").await;
        b.click("Add detail").await;
        b.see("+49 30 1234").await;
        let details = b.api().get(&format!("crm/contact/{kept}/data"), &token).await.json_ok();
        assert!(details["response"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["data"] == "+49 30 1234" && d["infoType"] == 0));
        b.wait_for("//button[starts-with(@aria-label, 'Remove Phone')]").await.click().await.expect("removed");
        b.wait_gone("//*[text()[contains(., '+49 30 1234')]]").await;

        b.click("Merge a duplicate").await;
        b.type_into("Find the duplicate by name", "Muster").await;
        b.wait_for("//dialog//label[contains(., 'Max Mustermann')]/input").await.click().await.expect("chosen");
        b.click_in("//dialog", "Merge").await;
        b.wait_for("//dialog/h2[starts-with(normalize-space(), 'Merge Max Mustermann into Max Mustermann?')]").await;
        b.click_in("//dialog", "Merge").await;
        b.see("max@elsewhere.example").await;
        assert_eq!(b.contact_total(&token, "Mustermann").await, 1);
        assert_eq!(b.api().get(&format!("crm/contact/{duplicate}"), &token).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_adds_a_guest_makes_him_a_user_disables_and_deletes_him() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("People").await;
        b.click("Add a user").await;
        b.type_into("First name", "Gail").await;
        b.type_into("Last name", "Newcomer").await;
        b.type_into("Email", "gail@newcomer.example").await;
        b.wait_for("//dialog//label[contains(., 'Guest')]/input").await.click().await.expect("guest");
        b.check_screen("add-user").await;
        b.click_in("//dialog", "Add").await;
        b.wait_for("//a[normalize-space()='Gail Newcomer']").await;
        let gail = b.api().get("people/email?email=gail@newcomer.example", &token).await.json_ok();
        assert_eq!(gail["response"]["isVisitor"], true);
        let id = gail["response"]["id"].as_str().unwrap().to_string();

        b.click("Gail Newcomer").await;
        b.click("Make a user").await;
        b.wait_for("//button[normalize-space()='Make a guest']").await;
        assert_eq!(b.api().get(&format!("people/{id}"), &token).await.json_ok()["response"]["isVisitor"], false);
        b.click("Disable").await;
        b.wait_for("//button[normalize-space()='Enable']").await;
        b.click("Delete").await;
        b.wait_for("//dialog/h2[starts-with(normalize-space(), 'Delete Gail Newcomer?')]").await;
        b.click_in("//dialog", "Delete").await;
        b.wait_for("//h1[normalize-space()='People']").await;
        assert_eq!(b.api().get(&format!("people/{id}"), &token).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn the_owner_makes_a_user_an_administrator_and_takes_the_rights_away() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let (id, _, _) = b.api().add_user("Ada", Role::User).await;
        let profile = format!("people/{id}");
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("People").await;
        b.click("Ada Tester").await;
        b.click("Make administrator").await;
        b.wait_for("//button[normalize-space()='Remove administrator rights']").await;
        b.wait_for("//p[@class='kind'][starts-with(normalize-space(), 'Administrator')]").await;
        assert_eq!(b.api().get(&profile, &token).await.json_ok()["response"]["isAdmin"], true);
        b.check_screen("administrator").await;
        b.click("Remove administrator rights").await;
        b.wait_for("//button[normalize-space()='Make administrator']").await;
        assert_eq!(b.api().get(&profile, &token).await.json_ok()["response"]["isAdmin"], false);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_adds_a_status_and_a_type_and_deletes_unused_tags() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let id = b.person(&token, "Vera", "Important").await;
        b.api().call(&token, Method::POST, &format!("crm/contact/{id}/tag"), json!({"tagName": "vip"})).await.json_ok();
        b.api().call(&token, Method::POST, "crm/contact/tag", json!({"tagName": "stale"})).await.json_ok();

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("Settings").await;
        b.type_into("New status", "Negotiating").await;
        b.click("Add status").await;
        b.wait_for("//input[@aria-label='Colour of Negotiating']").await;
        b.type_into("New type", "Partner").await;
        b.click("Add type").await;
        b.wait_for("//button[@aria-label='Delete the type Partner']").await;
        b.wait_for("//span[@class='tag' and normalize-space()='stale']").await;
        b.check_screen("settings").await;
        b.click("Delete unused tags").await;
        b.wait_gone("//span[@class='tag' and normalize-space()='stale']").await;
        b.wait_for("//span[@class='tag' and normalize-space()='vip']").await;

        let titles =
            |list: Value| list["response"].as_array().unwrap().iter().map(|i| i["title"].clone()).collect::<Vec<_>>();
        assert!(titles(b.api().get("crm/contact/status", &token).await.json_ok()).contains(&json!("Negotiating")));
        assert!(titles(b.api().get("crm/contact/type", &token).await.json_ok()).contains(&json!("Partner")));
        assert_eq!(titles(b.api().get("crm/contact/tag", &token).await.json_ok()), vec![json!("vip")]);
    })
    .await;
}

#[tokio::test]
async fn a_vcard_file_is_imported_and_its_contacts_are_listed() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let cards = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vcard/apple-contacts.vcf");
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("Import").await;
        b.wait_for("//h1[normalize-space()='Import contacts']").await;
        b.field("File (CSV or vCard)").await.send_keys(&cards.to_string_lossy()).await.expect("file chosen");
        b.see("A vCard file").await;
        b.click("Start import").await;
        b.wait_for("//h2[normalize-space()='Outcome']").await;
        b.see("0 rows rejected").await;
        b.check_screen("import").await;
        b.click("See the imported contacts").await;
        b.see("of 2 contacts").await;
        b.wait_for("//a[normalize-space()='John Appleseed']").await;
        b.wait_for("//a[normalize-space()='Orchard Inc.']").await;
        assert_eq!(b.contact_total(&token, "Appleseed").await, 1);
    })
    .await;
}

#[tokio::test]
async fn a_csv_file_is_imported_with_its_columns_mapped_and_its_rejected_rows_explained() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let dir = tempfile::tempdir().expect("temporary folder");
        let csv = dir.path().join("leads.csv");
        let rows = "Given;Family;Mail;Remarks\nRené;Dupont;rene@example.com;met at the fair\n\
                    Bad;Address;not-an-email;\nAnn;Lee;ann@example.com;\n";
        std::fs::write(&csv, rows).expect("file written");
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open("#/import").await;
        b.field("Delimiter of a CSV").await.select_by_label("Semicolon (;)").await.expect("delimiter");
        b.field("Tag for the imported contacts").await.send_keys("fair").await.expect("tag");
        b.field("File (CSV or vCard)").await.send_keys(&csv.to_string_lossy()).await.expect("file chosen");
        let column = |n: &str| format!("//select[@aria-label={}]", lit(n));
        b.wait_for(&column("Column 1 (Given) holds")).await.select_by_label("First name").await.expect("mapped");
        b.wait_for(&column("Column 2 (Family) holds")).await.select_by_label("Last name").await.expect("mapped");
        let guessed = b.wait_for(&column("Column 3 (Mail) holds")).await.prop("value").await.expect("value");
        assert_eq!(guessed.as_deref(), Some("contactInfo_1_0"), "a header naming the email is recognised");
        b.see("met at the fair").await;
        b.check_screen("import-mapping").await;
        b.click("Start import").await;
        b.wait_for("//h2[normalize-space()='Outcome']").await;
        b.see("2 persons and 0 companies imported").await;
        b.see("1 row rejected").await;
        b.wait_for("//td[normalize-space()='3']/following-sibling::td[contains(., 'is not an email address')]").await;
        b.click("See the contacts tagged “fair”").await;
        b.see("of 2 contacts").await;
        b.wait_for("//a[normalize-space()='René Dupont']").await;

        let found = b.api().get("crm/contact/filter?tags=fair", &token).await.json_ok();
        assert_eq!(found["total"], 2);
        let rene = found["response"].as_array().unwrap().iter().find(|c| c["lastName"] == "Dupont").cloned();
        let rene = rene.expect("René imported");
        assert_eq!(rene["firstName"], "René");
        assert!(rene["about"].is_null() || rene["about"] == "", "an ignored column is not imported: {rene}");
        assert!(rene["commonData"].to_string().contains("rene@example.com"), "{rene}");
    })
    .await;
}

#[tokio::test]
async fn the_filtered_contacts_are_exported_as_vcard_and_csv_files() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let mut ids = Vec::new();
        for (first, last) in [("Vic", "Exported"), ("Wes", "Exported"), ("Xan", "Elsewhere")] {
            ids.push(b.person(&token, first, last).await);
        }
        let tag = json!({"tagName": "vip"});
        b.api().call(&token, Method::POST, &format!("crm/contact/{}/tag", ids[0]), tag).await.json_ok();
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.type_into("Search contacts", "Exported").await;
        b.see("of 2 contacts").await;
        b.click("Export vCard").await;
        b.see("Exported: the file is downloading.").await;
        let status = b.api().get("crm/export/partial/status", &token).await;
        assert_eq!(status.json_ok()["response"]["status"], 2, "the owner's export is done");
        let file = b.api().send(b.api().request(Method::GET, "crm/export/partial/download", Some(&token))).await;
        assert_eq!(file.text.matches("BEGIN:VCARD").count(), 2, "{}", file.text);
        assert!(!file.text.contains("Elsewhere"), "only what the filter selects: {}", file.text);

        // The list's other filters apply too, here a tag, and CSV is the other format.
        b.wait_gone("//*[text()[contains(., 'Exported: the file is downloading.')]]").await;
        b.field("Search contacts").await.clear().await.expect("cleared");
        b.field("Tag").await.select_by_label("vip").await.expect("tag chosen");
        b.see("of 1 contact").await;
        b.click("Export CSV").await;
        b.see("Exported: the file is downloading.").await;
        let file = b.api().send(b.api().request(Method::GET, "crm/export/partial/download", Some(&token))).await;
        assert_eq!(file.text.lines().count(), 2, "a header and Vic: {}", file.text);
        assert!(file.text.contains("Vic"), "{}", file.text);
    })
    .await;
}

#[tokio::test]
async fn an_import_that_cannot_run_says_why_in_words_and_imports_nothing() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let dir = tempfile::tempdir().expect("temporary folder");
        let csv = dir.path().join("nameless.csv");
        std::fs::write(&csv, "Mail\nsomeone@example.com\n").expect("file written");
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open("#/import").await;
        b.field("File (CSV or vCard)").await.send_keys(&csv.to_string_lossy()).await.expect("file chosen");
        b.wait_for("//select[@aria-label='Column 1 (Mail) holds']").await;
        b.click("Start import").await;
        let said = b.wait_for("//p[@role='alert' and not(@hidden)]").await.text().await.expect("text");
        assert!(said.contains("no name column") && !said.contains('{'), "a sentence, not JSON: {said}");
        assert_eq!(b.contact_total(&token, "someone").await, 0);
    })
    .await;
}

#[tokio::test]
async fn custom_fields_of_a_contact_are_set_and_cleared_on_its_page() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        let id = b.person(&token, "Olga", "Fielder").await;
        let define =
            |label: &str, field_type: i64, mask: &str| json!({"label": label, "fieldType": field_type, "mask": mask});
        for body in [define("Birthplace", 0, ""), define("Newsletter", 3, ""), define("Size", 2, r#"["S","M","L"]"#)] {
            b.api().call(&token, Method::POST, "crm/person/customfield", body).await.json_ok();
        }

        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.open(&format!("#/contact/{id}")).await;
        b.see("Created by ").await;
        b.type_into("Birthplace", "Berlin").await;
        b.wait_for("//label[contains(., 'Newsletter')]/input").await.click().await.expect("checked");
        b.field("Size").await.select_by_label("M").await.expect("size");
        b.click("Save custom fields").await;
        b.wait_for("//button[@aria-label='Clear Birthplace']").await;
        let values = || async {
            let list = b.api().get(&format!("crm/person/{id}/customfield"), &token).await.json_ok();
            let mut pairs: Vec<(String, String)> = list["response"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| !f["fieldValue"].as_str().unwrap_or_default().is_empty())
                .map(|f| (f["label"].as_str().unwrap().to_string(), f["fieldValue"].as_str().unwrap().to_string()))
                .collect();
            pairs.sort();
            pairs
        };
        let pair = |l: &str, v: &str| (l.to_string(), v.to_string());
        assert_eq!(values().await, vec![pair("Birthplace", "Berlin"), pair("Newsletter", "true"), pair("Size", "M")]);
        b.check_screen("contact-custom-fields").await;

        b.click("Clear Birthplace").await;
        b.wait_gone("//button[@aria-label='Clear Birthplace']").await;
        assert_eq!(values().await, vec![pair("Newsletter", "true"), pair("Size", "M")]);
    })
    .await;
}

#[tokio::test]
async fn an_administrator_adds_and_deletes_a_custom_field_and_sets_the_default_currency() {
    in_browser(|b| async move {
        let token = b.api().owner_token().await;
        b.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
        b.click("Settings").await;
        b.type_into("New field", "Region").await;
        b.field("Field type").await.select_by_label("Select").await.expect("type");
        b.type_into("Options", "North, South").await;
        b.click("Add field").await;
        b.wait_for("//button[@aria-label='Delete the field Region']").await;
        let fields = b.api().get("crm/contact/customfield/definitions", &token).await.json_ok();
        assert_eq!(fields["response"][0]["label"], "Region");
        assert_eq!(fields["response"][0]["fieldType"], 2);
        assert_eq!(fields["response"][0]["mask"], r#"["North","South"]"#);

        b.field("Currency").await.select_by_value("EUR").await.expect("currency");
        b.click("Set default currency").await;
        b.see("The default currency is now EUR.").await;
        let settings = b.api().store().crm_settings(portald::model::PortalId(1)).await.expect("settings");
        assert_eq!(settings.default_currency.as_deref(), Some("EUR"));
        b.check_screen("settings-fields-currency").await;

        b.click("Delete the field Region").await;
        b.wait_for("//dialog/h2[starts-with(normalize-space(), 'Delete the field Region')]").await;
        b.click_in("//dialog", "Delete").await;
        b.see("No custom fields yet.").await;
        let fields = b.api().get("crm/contact/customfield/definitions", &token).await.json_ok();
        assert_eq!(fields["response"], json!([]));
    })
    .await;
}

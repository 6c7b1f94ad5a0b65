//! Photos of contacts and users: uploaded, fetched by URL (within the configured hosts only),
//! resized to the original's sizes, stored in the database, and served at the URLs every
//! contact and profile shows, with the caller's rights.

mod common;

use std::io::Cursor;
use std::time::Duration;

use common::{spawn, spawn_with, Options, Role, TestServer};
use image::{DynamicImage, ImageFormat, RgbImage};
use portald::config::PhotoFetchArgs;
use portald::model::photos::PhotoOwner;
use portald::model::{ContactId, PortalId};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A `width`×`height` picture: red on the left half, blue on the right, so crops differ.
fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            image::Rgb([220, 20, 20])
        } else {
            image::Rgb([20, 20, 220])
        }
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).expect("encoded");
    out.into_inner()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    picture(width, height, ImageFormat::Png)
}

/// Sends `bytes` as the file `field` of a multipart form.
async fn upload(
    server: &TestServer,
    token: &str,
    method: Method,
    path: &str,
    field: &str,
    bytes: Vec<u8>,
) -> common::Answer {
    let form = Form::new()
        .part(field.to_string(), Part::bytes(bytes).file_name("photo.png").mime_str("image/png").expect("mime"));
    server.send(server.request(method, path, Some(token)).multipart(form)).await
}

/// GETs a path of the server (not below the API) with or without a token: status, headers, bytes.
async fn fetch(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let url = if path.starts_with("http") { path.to_string() } else { format!("{}{path}", server.base) };
    let mut request = server.client.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", token);
    }
    let response = request.send().await.expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.bytes().await.expect("body").to_vec())
}

/// The image a path serves, decoded, after checking its media type.
async fn served_image(server: &TestServer, path: &str, token: Option<&str>) -> DynamicImage {
    let (status, headers, body) = fetch(server, path, token).await;
    assert_eq!(status, StatusCode::OK, "{path}: {}", String::from_utf8_lossy(&body));
    let media_type = headers[reqwest::header::CONTENT_TYPE].to_str().expect("text").to_string();
    assert!(media_type.starts_with("image/"), "{path}: {media_type}");
    image::load_from_memory(&body).expect("an image")
}

/// What the original's photo handler answers for a wrapper's photo URL: the image's URL.
async fn handler_answer(server: &TestServer, handler_url: &str, token: &str) -> String {
    let (status, headers, body) = fetch(server, handler_url, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{handler_url}: {}", String::from_utf8_lossy(&body));
    assert!(headers[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    String::from_utf8(body).expect("text")
}

fn response_text(answer: &common::Answer) -> String {
    answer.json_ok()["response"].as_str().expect("a string answer").to_string()
}

fn error_message(answer: &common::Answer) -> String {
    answer.json()["error"]["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn an_uploaded_contact_photo_is_kept_in_three_sizes_and_served_where_the_contact_links() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let contact = server.get(&format!("crm/contact/{id}"), &token).await.json_ok()["response"].clone();
    let small_handler = contact["smallFotoUrl"].as_str().expect("smallFotoUrl").to_string();
    // Before an upload: the default image of a person, served to anyone.
    let default_small = handler_answer(&server, &small_handler, &token).await;
    assert_eq!(default_small, "/Products/CRM/App_Themes/default/images/empty_people_logo_40_40.png");
    let (status, headers, _) = fetch(&server, &default_small, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[reqwest::header::CACHE_CONTROL].to_str().unwrap().starts_with("public"));
    assert_eq!(served_image(&server, &default_small, None).await.width(), 40);

    let answer =
        upload(&server, &token, Method::PUT, &format!("crm/contact/{id}/changephoto"), "photo", png(300, 150)).await;
    let big = response_text(&answer);
    assert!(big.starts_with(&format!("/storage/crm/photos/contact_{id}_200_200.png?cd=")), "{big}");
    let image = served_image(&server, &big, Some(&token)).await;
    assert_eq!((image.width(), image.height()), (200, 200));
    for (handler, side) in [(small_handler.clone(), 40), (contact["mediumFotoUrl"].as_str().unwrap().to_string(), 82)] {
        let url = handler_answer(&server, &handler, &token).await;
        assert!(url.starts_with(&format!("/storage/crm/photos/contact_{id}_{side}_{side}.png?cd=")), "{url}");
        let image = served_image(&server, &url, Some(&token)).await;
        assert_eq!((image.width(), image.height()), (side, side));
    }
    // ps=3 asks for the big size, as in the original; other sizes are a 400 naming ps.
    let big_handler = small_handler.replace("ps=1", "ps=3");
    assert_eq!(handler_answer(&server, &big_handler, &token).await, big);
    let (status, _, body) = fetch(&server, &small_handler.replace("ps=1", "ps=4"), Some(&token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("'ps'"));

    // A revalidation of the same version is a 304 without the image.
    let (_, headers, _) = fetch(&server, &big, Some(&token)).await;
    let etag = headers[reqwest::header::ETAG].to_str().unwrap().to_string();
    let response = server
        .client
        .get(format!("{}{big}", server.base))
        .header("Authorization", &token)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    // A JPEG stays a JPEG; the new upload replaces every size.
    let jpeg = picture(120, 120, ImageFormat::Jpeg);
    let answer = upload(&server, &token, Method::PUT, &format!("crm/contact/{id}/changephoto"), "photo", jpeg).await;
    let big_jpeg = response_text(&answer);
    assert!(big_jpeg.contains("_200_200.jpeg?cd="), "{big_jpeg}");
    assert_eq!(fetch(&server, &big, Some(&token)).await.0, StatusCode::NOT_FOUND, "the PNG is gone");
    assert!(handler_answer(&server, &small_handler, &token).await.contains("_40_40.jpeg"));

    // DELETE avatar: back to the default image, which the answer names.
    let answer = server.call(&token, Method::DELETE, &format!("crm/contact/{id}/avatar"), json!({})).await;
    assert_eq!(response_text(&answer), "/Products/CRM/App_Themes/default/images/empty_people_logo_200_200.png");
    assert_eq!(handler_answer(&server, &small_handler, &token).await, default_small);
    assert_eq!(fetch(&server, &big_jpeg, Some(&token)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn photos_follow_the_contacts_rights_and_go_with_the_contact() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (_, user) = server.add_user_and_login("ulla", Role::User).await;
    let private = server.add_person(&owner, "Private", 0).await;
    let read_only = server.add_person(&owner, "Shown", 2).await;
    let company = server
        .call(&owner, Method::POST, "crm/contact/company", json!({"companyName": "Acme", "shareType": 1}))
        .await
        .id();
    for id in [private, read_only] {
        upload(&server, &owner, Method::PUT, &format!("crm/contact/{id}/changephoto"), "photo", png(64, 64))
            .await
            .json_ok();
    }
    let private_image = format!("/storage/crm/photos/contact_{private}_82_82.png");
    // No token: 401. A user who may not read the contact: 404 for its photo and its handler.
    assert_eq!(fetch(&server, &private_image, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(fetch(&server, &private_image, Some(&user)).await.0, StatusCode::NOT_FOUND);
    let handler =
        format!("/Products/CRM/HttpHandlers/filehandler.ashx?action=contactphotoulr&cid={private}&isc=False&ps=1");
    assert_eq!(fetch(&server, &handler, Some(&user)).await.0, StatusCode::NOT_FOUND);
    assert_eq!(fetch(&server, &private_image, Some(&owner)).await.0, StatusCode::OK);
    // Read-only: he sees the photo but may not change or remove it.
    let shown = format!("/storage/crm/photos/contact_{read_only}_40_40.png");
    assert_eq!(fetch(&server, &shown, Some(&user)).await.0, StatusCode::OK);
    let answer =
        upload(&server, &user, Method::PUT, &format!("crm/contact/{read_only}/changephoto"), "photo", png(10, 10))
            .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let answer = server.call(&user, Method::DELETE, &format!("crm/contact/{read_only}/avatar"), json!({})).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let answer =
        upload(&server, &user, Method::PUT, &format!("crm/contact/{private}/changephoto"), "photo", png(10, 10)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // A company's default image is a company's.
    let answer = server.call(&user, Method::DELETE, &format!("crm/contact/{company}/avatar"), json!({})).await;
    assert_eq!(response_text(&answer), "/Products/CRM/App_Themes/default/images/empty_company_logo_200_200.png");
    assert_eq!(served_image(&server, &response_text(&answer), None).await.width(), 200);

    // A deleted contact's photos are deleted with it.
    let store = server.store();
    let owner_of = PhotoOwner::Contact(ContactId(read_only));
    assert!(store.photo_stamp(PortalId(1), owner_of).await.unwrap().is_some());
    server.call(&owner, Method::DELETE, &format!("crm/contact/{read_only}"), json!({})).await.json_ok();
    assert!(store.photo_stamp(PortalId(1), owner_of).await.unwrap().is_none());
    assert_eq!(fetch(&server, &shown, Some(&owner)).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_is_not_a_png_or_jpeg_is_a_400_naming_the_photo_and_changes_nothing() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let path = format!("crm/contact/{id}/changephoto");
    upload(&server, &token, Method::PUT, &path, "photo", png(50, 50)).await.json_ok();
    let before = server.store().photo_stamp(PortalId(1), PhotoOwner::Contact(ContactId(id))).await.unwrap();
    // A 1×1 GIF: an image, but not a format the original accepts.
    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
    let truncated = png(50, 50)[..60].to_vec();
    for (bytes, why) in
        [(b"hello".to_vec(), "not a PNG or JPEG"), (gif, "not a PNG or JPEG"), (truncated, "not a readable image")]
    {
        let answer = upload(&server, &token, Method::PUT, &path, "photo", bytes).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
        let message = error_message(&answer);
        assert!(message.contains("'photo'") && message.contains(why), "{message}");
    }
    // No file, or an empty one.
    let answer = server.call(&token, Method::PUT, &path, json!({"photo": "x"})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(error_message(&answer).contains("'photo'"));
    let answer = upload(&server, &token, Method::PUT, &path, "photo", Vec::new()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    // A picture whose header claims more pixels than are decoded at all.
    let mut huge = png(1, 1);
    huge[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    huge[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    let answer = upload(&server, &token, Method::PUT, &path, "photo", huge).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text);
    let after = server.store().photo_stamp(PortalId(1), PhotoOwner::Contact(ContactId(id))).await.unwrap();
    assert_eq!(before, after, "a refused upload leaves the photo as it was");
    // Over the 2 MiB a form may carry: 413, as any body over its limit.
    let answer = upload(&server, &token, Method::PUT, &path, "photo", vec![0u8; 3 * 1024 * 1024]).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.text);
    // A word where the id goes matches no route, as in the original.
    let answer = upload(&server, &token, Method::PUT, "crm/contact/abc/changephoto", "photo", png(5, 5)).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_answers_are_strings_in_json_and_xml() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let answer =
        upload(&server, &token, Method::PUT, &format!("crm/contact/{id}/changephoto.xml"), "photo", png(20, 20)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.text.contains(&format!("/storage/crm/photos/contact_{id}_200_200.png?cd=")), "{}", answer.text);
    assert!(answer.text.starts_with("<?xml") || answer.text.starts_with("<result"), "{}", answer.text);
    let answer = server.call(&token, Method::DELETE, &format!("crm/contact/{id}/avatar.xml"), json!({})).await;
    assert!(answer.text.contains("empty_people_logo_200_200.png"), "{}", answer.text);
    // uploadOnly: nothing to remove, an empty answer (the original's).
    let answer =
        server.call(&token, Method::DELETE, &format!("crm/contact/{id}/avatar"), json!({"uploadOnly": true})).await;
    assert_eq!(response_text(&answer), "");
}

/// A one-request-at-a-time HTTP server on loopback that answers every request with `answer`
/// (after `delay`); its address.
async fn image_host(answer: Vec<u8>, delay: Duration) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bound");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let _ = socket.read(&mut request).await;
                tokio::time::sleep(delay).await;
                let _ = socket.write_all(&answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    addr
}

fn http_answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut answer =
        format!("HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            .into_bytes();
    answer.extend_from_slice(body);
    answer
}

fn fetching(hosts: &[&str], allow_private: bool) -> Options {
    Options {
        photo_fetch: PhotoFetchArgs {
            photo_url_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            photo_url_private: allow_private,
            photo_url_timeout: Duration::from_secs(1),
        },
        ..Options::default()
    }
}

#[tokio::test]
async fn a_photo_by_url_is_fetched_only_from_allowed_hosts_within_bounds() {
    let good = image_host(http_answer("200 OK", "Content-Type: image/png\r\n", &png(90, 90)), Duration::ZERO).await;
    // By default the server fetches nothing.
    let server = spawn().await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let by_url = format!("crm/contact/{id}/changephotobyurl");
    let answer = server.call(&token, Method::PUT, &by_url, json!({"photourl": format!("http://{good}/a.png")})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(error_message(&answer).contains("PORTALD_PHOTO_URL_HOSTS"), "{}", answer.text);
    server.stop().await;

    // Allowed by name, but loopback is private: refused unless private addresses are allowed.
    let server = spawn_with(fetching(&["127.0.0.1", "localhost"], false)).await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let by_url = format!("crm/contact/{id}/changephotobyurl");
    for url in [format!("http://{good}/a.png"), format!("http://localhost:{}/a.png", good.port())] {
        let answer = server.call(&token, Method::PUT, &by_url, json!({"photourl": url})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(error_message(&answer).contains("private address"), "{}", answer.text);
    }
    server.stop().await;

    let server = spawn_with(fetching(&["127.0.0.1"], true)).await;
    let token = server.owner_token().await;
    let id = server.add_person(&token, "Pia", 1).await;
    let by_url = format!("crm/contact/{id}/changephotobyurl");
    let answer = server.call(&token, Method::PUT, &by_url, json!({"photourl": format!("http://{good}/a.png")})).await;
    let big = response_text(&answer);
    assert_eq!(served_image(&server, &big, Some(&token)).await.width(), 200);

    let refused = |status: &'static str, headers: &'static str, body: Vec<u8>| http_answer(status, headers, &body);
    let too_big = image_host(refused("200 OK", "", vec![0u8; 3 * 1024 * 1024]), Duration::ZERO).await;
    let redirect =
        image_host(refused("302 Found", "Location: http://169.254.169.254/\r\n", Vec::new()), Duration::ZERO).await;
    let missing = image_host(refused("404 Not Found", "", Vec::new()), Duration::ZERO).await;
    let slow = image_host(http_answer("200 OK", "", &png(10, 10)), Duration::from_secs(5)).await;
    let not_image = image_host(refused("200 OK", "", b"<html>".to_vec()), Duration::ZERO).await;
    let cases = [
        (format!("http://{too_big}/"), "larger than"),
        (format!("http://{redirect}/"), "answered 302"),
        (format!("http://{missing}/"), "answered 404"),
        (format!("http://{slow}/"), "too long"),
        (format!("http://{not_image}/"), "not a PNG or JPEG"),
        ("file:///etc/passwd".to_string(), "only http and https"),
        ("http://example.com/a.png".to_string(), "not fetched from example.com"),
        ("not a url".to_string(), "not a URL"),
    ];
    for (url, why) in cases {
        let answer = server.call(&token, Method::PUT, &by_url, json!({"photourl": url})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{url}: {}", answer.text);
        let message = error_message(&answer);
        assert!(message.contains("'photourl'") && message.contains(why), "{url}: {message}");
    }
    assert_eq!(served_image(&server, &big, Some(&token)).await.width(), 200, "the photo is as it was");
}

#[tokio::test]
async fn a_users_photo_is_set_cropped_shown_in_profiles_and_removed() {
    let server = spawn().await;
    let owner = server.owner_token().await;
    let (uma, uma_token) = server.add_user_and_login("uma", Role::User).await;
    let (_, other_token) = server.add_user_and_login("olga", Role::User).await;

    // Before: the default images, served to anyone.
    let thumbs = server.get(&format!("people/{uma}/photo"), &other_token).await.json_ok()["response"].clone();
    assert_eq!(thumbs["small"], "/skins/default/images/default_user_photo_size_32-32.png");
    assert_eq!(thumbs["original"], "/skins/default/images/default_user_photo_size_200-200.png");
    for key in ["original", "retina", "max", "big", "medium", "small"] {
        served_image(&server, thumbs[key].as_str().unwrap(), None).await;
    }

    // Another user may not change it; he himself may, by upload.
    let path = format!("people/{uma}/photo");
    let answer = upload(&server, &other_token, Method::PUT, &path, "files", png(400, 200)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.text);
    let thumbs =
        upload(&server, &uma_token, Method::PUT, &path, "files", png(400, 200)).await.json_ok()["response"].clone();
    let sizes = [("retina", 360), ("max", 200), ("big", 82), ("medium", 48), ("small", 32)];
    for (key, side) in sizes {
        let url = thumbs[key].as_str().unwrap();
        assert!(url.starts_with(&format!("/storage/userPhotos/root/{uma}_size_{side}-{side}.png?_=")), "{url}");
        let image = served_image(&server, url, Some(&other_token)).await;
        assert_eq!((image.width(), image.height()), (side, side));
    }
    let original = served_image(&server, thumbs["original"].as_str().unwrap(), Some(&other_token)).await;
    assert_eq!((original.width(), original.height()), (400, 200));
    assert_eq!(fetch(&server, thumbs["small"].as_str().unwrap(), None).await.0, StatusCode::UNAUTHORIZED);

    // Every profile shows it.
    let profile = server.get(&format!("people/{uma}"), &owner).await.json_ok()["response"].clone();
    assert_eq!(profile["avatarSmall"], thumbs["small"]);
    assert_eq!(profile["avatarMedium"], thumbs["medium"]);
    assert_eq!(profile["avatar"], thumbs["big"]);
    let listed = server.get("people", &owner).await.json_ok()["response"].clone();
    let listed = listed.as_array().unwrap().iter().find(|p| p["id"] == uma.to_string()).cloned().unwrap();
    assert_eq!(listed["avatarSmall"], thumbs["small"]);

    // Thumbnails from the left (red) half, then from the right (blue) half.
    let crop = |x: i64| json!({"x": x, "y": 0, "width": 200, "height": 200});
    let thumbnails = format!("people/{uma}/photo/thumbnails");
    let red = server.call(&uma_token, Method::POST, &thumbnails, crop(0)).await.json_ok()["response"].clone();
    let pixel =
        served_image(&server, red["small"].as_str().unwrap(), Some(&uma_token)).await.to_rgb8().get_pixel(16, 16).0;
    assert!(pixel[0] > 150 && pixel[2] < 100, "{pixel:?}");
    let blue = server.call(&uma_token, Method::POST, &thumbnails, crop(200)).await.json_ok()["response"].clone();
    let pixel =
        served_image(&server, blue["small"].as_str().unwrap(), Some(&uma_token)).await.to_rgb8().get_pixel(16, 16).0;
    assert!(pixel[2] > 150 && pixel[0] < 100, "{pixel:?}");
    assert_ne!(red["small"], blue["small"], "a new version, a new URL");
    let answer = server.call(&uma_token, Method::POST, &thumbnails, crop(300)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(error_message(&answer).contains("'width'"), "{}", answer.text);
    let answer =
        server.call(&uma_token, Method::POST, &thumbnails, json!({"x": -1, "y": 0, "width": 10, "height": 10})).await;
    assert!(error_message(&answer).contains("'x'"), "{}", answer.text);
    let answer = server
        .call(
            &uma_token,
            Method::POST,
            &thumbnails,
            json!({"tmpFile": "a.png", "x": 0, "y": 0, "width": 10, "height": 10}),
        )
        .await;
    assert!(error_message(&answer).contains("'tmpFile'"), "{}", answer.text);
    let answer = server.call(&other_token, Method::POST, &thumbnails, crop(0)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);

    // An admin removes it: the defaults again, and the images are gone.
    let removed = server.call(&owner, Method::DELETE, &path, json!({})).await.json_ok()["response"].clone();
    assert_eq!(removed["small"], "/skins/default/images/default_user_photo_size_32-32.png");
    assert_eq!(fetch(&server, blue["small"].as_str().unwrap(), Some(&owner)).await.0, StatusCode::NOT_FOUND);
    let profile = server.get(&format!("people/{uma}"), &owner).await.json_ok()["response"].clone();
    assert_eq!(profile["avatarSmall"], "/skins/default/images/default_user_photo_size_32-32.png");
    // Without a URL or a file, nothing changes (the original's answer).
    let unchanged = server.call(&uma_token, Method::PUT, &path, json!({})).await.json_ok()["response"].clone();
    assert_eq!(unchanged, removed);
    // A URL is fetched under the same rules as a contact's.
    let answer = server.call(&uma_token, Method::PUT, &path, json!({"files": "http://example.com/me.png"})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(error_message(&answer).contains("'files'"), "{}", answer.text);
}

/// Every link to a photo or a profile in contacts and profiles leads somewhere.
#[tokio::test]
async fn every_photo_and_profile_link_in_answers_resolves() {
    let server = spawn().await;
    let token = server.owner_token().await;
    let (uma, _) = server.add_user_and_login("uma", Role::User).await;
    let person = server.add_person(&token, "Pia", 1).await;
    let company = server.call(&token, Method::POST, "crm/contact/company", json!({"companyName": "Acme"})).await.id();
    upload(&server, &token, Method::PUT, &format!("crm/contact/{person}/changephoto"), "photo", png(30, 30))
        .await
        .json_ok();
    upload(&server, &token, Method::PUT, &format!("people/{uma}/photo"), "files", png(30, 30)).await.json_ok();
    server
        .call(
            &token,
            Method::PUT,
            &format!("crm/contact/{company}/access"),
            json!({"isPrivate": true, "managerList": [uma]}),
        )
        .await
        .json_ok();

    let mut links = Vec::new();
    let contacts = server.get("crm/contact/filter", &token).await.json_ok()["response"].clone();
    let people = server.get("people", &token).await.json_ok()["response"].clone();
    collect_links(&contacts, &mut links);
    collect_links(&people, &mut links);
    assert!(links.len() >= 10, "{links:?}");
    for link in links {
        let (status, headers, body) = fetch(&server, &link, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{link}: {}", String::from_utf8_lossy(&body));
        if link.contains("filehandler.ashx") {
            served_image(&server, &String::from_utf8(body).unwrap(), Some(&token)).await;
        } else if link.contains("Profile.aspx") {
            // A profile link redirects to the profile in the API (the client follows it).
            let profile: Value = serde_json::from_slice(&body).expect("JSON");
            assert_eq!(profile["response"]["profileUrl"], link.as_str());
        } else {
            assert!(headers[reqwest::header::CONTENT_TYPE].to_str().unwrap().starts_with("image/"), "{link}");
        }
    }
}

/// The values of every key naming a photo or a profile, anywhere in `value`.
fn collect_links(value: &Value, links: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let is_link = key.ends_with("FotoUrl") || key.starts_with("avatar") || key == "profileUrl";
                match value.as_str() {
                    Some(link) if is_link && !link.is_empty() => links.push(link.to_string()),
                    _ => collect_links(value, links),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_links(item, links)),
        _ => {}
    }
}

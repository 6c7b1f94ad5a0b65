//! Property tests: whatever a client sends, the binder, the bracket-form parser, JSON and XML
//! flattening, the list options and the ApiDateTime parser give a value or a 400, never a panic.

use chrono_tz::Tz;
use portald::error::ApiError;
use portald::http::binding::Params;
use portald::http::datetime;
use portald::http::list::ListOptions;
use proptest::prelude::*;
use serde_json::Value;
use uuid::Uuid;

/// Reads every kind of value the handlers read; only 400s may come out.
fn read_everything(params: &Params) {
    for name in ["ids", "contacts", "userName", "a", "x", "count", "b"] {
        let results = [
            params.get::<String>(name).map(drop),
            params.get::<bool>(name).map(drop),
            params.get::<i64>(name).map(drop),
            params.get::<Uuid>(name).map(drop),
            params.get::<f64>(name).map(drop),
            params.get::<chrono::DateTime<chrono::Utc>>(name).map(drop),
            params.list::<i64>(name).map(drop),
            params.list::<String>(name).map(drop),
            params.list::<Uuid>(name).map(drop),
            params.objects(name).map(|objects| {
                for object in objects {
                    let _ = object.get::<String>("type");
                    let _ = object.objects("inner");
                }
            }),
        ];
        for result in results {
            if let Err(err) = result {
                assert!(matches!(err, ApiError::BadRequest(_)), "{err:?}");
            }
        }
    }
}

/// Keys and values built from the characters that matter to the parsers.
fn form_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("ids".to_string()),
            Just("contacts".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("[]".to_string()),
            Just(".".to_string()),
            Just("=".to_string()),
            Just("&".to_string()),
            Just("%".to_string()),
            Just("%5B".to_string()),
            "[0-9]{1,3}",
            "[a-zA-Z]{1,4}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![Just("ids".to_string()), Just("contacts".to_string()), Just("type".to_string()), ".{0,6}"],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_form_or_query_binds_or_is_a_400(text in form_text()) {
        let mut params = Params::new(Tz::UTC);
        params.push_urlencoded(text.as_bytes());
        params.push_key(&text, text.clone());
        read_everything(&params);
    }

    #[test]
    fn any_bytes_as_json_or_xml_bind_or_are_a_400(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut params = Params::new(Tz::UTC);
        if let Err(err) = params.push_json(&bytes) {
            prop_assert!(matches!(err, ApiError::BadRequest(_)));
        }
        if let Err(err) = params.push_xml(&bytes) {
            prop_assert!(matches!(err, ApiError::BadRequest(_)));
        }
        read_everything(&params);
    }

    #[test]
    fn any_json_object_flattens_and_binds(value in json_value()) {
        let mut params = Params::new(Tz::UTC);
        let body = serde_json::to_vec(&value).unwrap();
        match params.push_json(&body) {
            Ok(()) => prop_assert!(value.is_object()),
            Err(err) => {
                prop_assert!(!value.is_object());
                prop_assert!(matches!(err, ApiError::BadRequest(_)));
            }
        }
        read_everything(&params);
    }

    #[test]
    fn json_arrays_of_numbers_bind_in_order(ids in proptest::collection::vec(any::<i64>(), 0..50)) {
        let mut params = Params::new(Tz::UTC);
        params.push_json(serde_json::json!({ "ids": ids }).to_string().as_bytes()).unwrap();
        prop_assert_eq!(params.list::<i64>("ids").unwrap(), ids);
    }

    #[test]
    fn bracket_lists_bind_in_index_order(ids in proptest::collection::vec(any::<i64>(), 1..30)) {
        let form: Vec<String> = ids.iter().enumerate().rev().map(|(i, id)| format!("ids[{i}]={id}")).collect();
        let mut params = Params::new(Tz::UTC);
        params.push_urlencoded(form.join("&").as_bytes());
        prop_assert_eq!(params.list::<i64>("ids").unwrap(), ids);
    }

    #[test]
    fn any_query_gives_list_options_or_a_400(query in form_text()) {
        if let Err(err) = ListOptions::from_query(&query, Tz::Europe__Berlin) {
            prop_assert!(matches!(err, ApiError::BadRequest(_)));
        }
    }

    #[test]
    fn any_text_is_a_date_or_an_error(text in ".{0,40}") {
        let _ = datetime::parse(&text, Tz::America__New_York);
    }

    #[test]
    fn dates_round_trip_through_the_api_format(seconds in -60_000_000_000i64..250_000_000_000i64, ticks in 0u32..10_000_000) {
        let at = chrono::DateTime::from_timestamp(seconds, ticks * 100).unwrap();
        for tz in [Tz::UTC, Tz::Asia__Kolkata, Tz::America__St_Johns] {
            let text = datetime::ApiDateTime::new(at, tz).format();
            prop_assert_eq!(datetime::parse(&text, tz).unwrap(), at, "{}", text);
        }
    }
}

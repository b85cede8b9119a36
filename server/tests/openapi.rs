//! The OpenAPI document the server derives from its handlers and types is the contract clients
//! were given: `contract/openapi-v1.json`, the hand-written document it replaced (2026-12-04).
//! Compared semantically by `scripts/openapi-compare.py`: every path, parameter, body, status,
//! header and schema constraint must match; wording may differ. A deliberate change to the
//! contract updates that file in the same commit.

mod common;

use std::process::Command;

#[test]
fn the_generated_document_is_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let generated = dir.path().join("generated.json");
    std::fs::write(&generated, server::api::openapi_document()).unwrap();
    let root = common::manifest_dir().join("..");
    let out = Command::new("python3")
        .arg(root.join("scripts/openapi-compare.py"))
        .arg(common::manifest_dir().join("tests/contract/openapi-v1.json"))
        .arg(&generated)
        .output()
        .expect("python3 runs the comparison");
    let report = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{report}");
    assert!(out.status.success(), "the generated document differs from the contract:\n{report}");
}

#[test]
fn the_comparison_catches_a_changed_contract() {
    // A check that cannot fail proves nothing: a field dropped from a response must be caught.
    let contract = common::manifest_dir().join("tests/contract/openapi-v1.json");
    let mut changed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&contract).unwrap()).unwrap();
    let ask = &mut changed["components"]["schemas"]["AskResponse"]["properties"];
    ask.as_object_mut().unwrap().remove("candidates").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("changed.json");
    std::fs::write(&file, changed.to_string()).unwrap();
    let out = Command::new("python3")
        .arg(common::manifest_dir().join("../scripts/openapi-compare.py"))
        .arg(&contract)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("candidates"));
}

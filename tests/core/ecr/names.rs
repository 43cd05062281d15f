//! Repository names: the table shared with the UI's validator, against Berth's validator, against
//! moto's CreateRepository, and Berth's create refusing bad names before any AWS call.

use crate::support::ecr as ecr_support;
use crate::support::sdk;

use berth_core::aws::ecr::{Encryption, TagMutability};
use berth_core::ecr_lifecycle::LifecycleRule;
use berth_core::ecr_names::{name_problem, suggestion, validate};
use berth_core::wizard::repository::{create_repository, NewRepository};
use berth_core::ErrorKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    repeat: Option<usize>,
    rule: Option<String>,
    suggestion: Option<String>,
}

#[derive(Deserialize)]
struct Table {
    cases: Vec<Case>,
}

/// The names, with `repeat` applied.
fn cases() -> Vec<(String, Case)> {
    let table: Table = serde_json::from_str(include_str!(
        "../../../ui/src/screens/repositories/name-cases.json"
    ))
    .expect("name-cases.json parses");
    table
        .cases
        .into_iter()
        .map(|c| (c.name.repeat(c.repeat.unwrap_or(1)), c))
        .collect()
}

#[test]
fn the_table_has_at_least_thirty_names_valid_and_invalid() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} names", cases.len());
    assert!(cases.iter().filter(|(_, c)| c.rule.is_none()).count() >= 10);
    assert!(cases.iter().filter(|(_, c)| c.rule.is_some()).count() >= 20);
}

#[test]
fn each_name_breaks_exactly_the_rule_the_table_says_with_its_suggestion() {
    let mut wrong = Vec::new();
    for (name, case) in cases() {
        let rule = name_problem(&name).map(|r| r.as_str().to_owned());
        let fix = suggestion(&name);
        if rule != case.rule || fix != case.suggestion {
            wrong.push(format!(
                "{name:?}: rule {rule:?} (table {:?}), suggestion {fix:?} (table {:?})",
                case.rule, case.suggestion
            ));
        }
        // A suggestion is always a name ECR accepts.
        if let Some(fix) = &fix {
            assert_eq!(name_problem(fix), None, "suggestion {fix:?} for {name:?}");
        }
        // The error Berth returns names the same rule and carries the suggestion.
        match validate(&name) {
            Ok(()) => assert!(case.rule.is_none(), "{name:?} passed validation"),
            Err(err) => {
                assert_eq!(err.kind, ErrorKind::InvalidInput);
                assert_eq!(err.param("field"), Some("repositoryName"));
                assert_eq!(err.param("rule"), case.rule.as_deref());
                assert_eq!(err.param("suggestion"), case.suggestion.as_deref());
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The AWS backend checks CreateRepository's name against ECR's pattern (the same regex as
/// docs/aws-facts.md#ecr) and, as AWS does, its length (2–256 characters; plain moto accepted
/// `a`, `9` and the 257-character name): it accepts or refuses every name exactly as the table
/// says.
#[tokio::test]
async fn the_backend_accepts_and_refuses_exactly_the_names_the_table_says() {
    let (clients, _) = ecr_support::fresh_account().await;
    let mut disagreements = Vec::new();
    for (name, case) in cases() {
        let expected = case.rule.is_none();
        let answer = sdk::ecr(&clients)
            .create_repository()
            .repository_name(&name)
            .send()
            .await;
        let accepted = match answer {
            Ok(_) => true,
            Err(e) => {
                let err = berth_core::aws::errors::from_sdk(e, "ecr:CreateRepository");
                // The pattern is ECR's own check; the length its API's input validation.
                assert!(
                    matches!(
                        err.param("code"),
                        Some("InvalidParameterException" | "ValidationException")
                    ),
                    "{name:?}: {err}"
                );
                false
            }
        };
        if accepted != expected {
            disagreements.push(format!(
                "{name:?}: the backend accepted={accepted}, table rule {:?}",
                case.rule
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[tokio::test]
async fn berth_refuses_every_invalid_name_before_calling_aws() {
    // Nothing listens at this endpoint: a call would fail as unreachable, not as invalid input.
    let clients = crate::support::unreachable().await;
    for (name, case) in cases() {
        let Some(rule) = case.rule else { continue };
        let input = NewRepository {
            name: name.clone(),
            scan_on_push: true,
            tag_mutability: TagMutability::Mutable,
            encryption: Encryption::Aes256,
            lifecycle: LifecycleRule::default(),
        };
        let err = create_repository(&clients, &input).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{name:?}: {err}");
        assert_eq!(err.param("rule"), Some(rule.as_str()), "{name:?}");
    }
    let log = clients.activity();
    assert!(
        log.recent(10).is_empty() && log.reads().is_empty(),
        "nothing was attempted, so nothing is logged"
    );
}

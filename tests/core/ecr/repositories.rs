//! Wizard step 3 and the Repositories view against moto: create with each option and read it
//! back through the API, pick, measure, list every page, open, and delete safely. Each test works
//! in a moto account of its own, so the listings it checks hold only what it made.

use crate::support;
use crate::support::ecr as ecr_support;
use crate::support::sdk;

use berth_core::activity::ActivityStatus;
use berth_core::aws::ecr::{Encryption, TagMutability, MAX_PAGE};
use berth_core::dashboard::repository_list::{
    self as repositories, PlannedAction, RepositoryDeletion, RepositoryRef, RepositoryUsage,
};
use berth_core::ecr_lifecycle::LifecycleRule;
use berth_core::wizard::repository::{self, NewRepository};
use berth_core::ErrorKind;
use serde_json::Value;
use std::collections::BTreeMap;

const MB: u64 = 1024 * 1024;

fn new_repository(name: &str) -> NewRepository {
    NewRepository {
        name: name.into(),
        scan_on_push: true,
        tag_mutability: TagMutability::Mutable,
        encryption: Encryption::Aes256,
        lifecycle: LifecycleRule {
            keep_last: Some(10),
            untagged_days: Some(7),
        },
    }
}

/// What the API itself says about a repository (not through Berth's code).
struct ReadBack {
    scan_on_push: bool,
    mutability: String,
    encryption: String,
    kms_key: Option<String>,
    policy: Option<Value>,
    tags: BTreeMap<String, String>,
}

async fn read_back(clients: &berth_core::aws::AwsClients, name: &str) -> ReadBack {
    let ecr = sdk::ecr(clients);
    let repo = ecr
        .describe_repositories()
        .repository_names(name)
        .send()
        .await
        .unwrap()
        .repositories()[0]
        .clone();
    let policy = ecr
        .get_lifecycle_policy()
        .repository_name(name)
        .send()
        .await
        .ok()
        .and_then(|p| {
            p.lifecycle_policy_text()
                .map(|t| serde_json::from_str(t).unwrap())
        });
    let tags = ecr
        .list_tags_for_resource()
        .resource_arn(repo.repository_arn().unwrap())
        .send()
        .await
        .unwrap()
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    let enc = repo.encryption_configuration().unwrap();
    ReadBack {
        scan_on_push: repo.image_scanning_configuration().unwrap().scan_on_push(),
        mutability: repo.image_tag_mutability().unwrap().as_str().to_owned(),
        encryption: enc.encryption_type().as_str().to_owned(),
        kms_key: enc.kms_key().map(str::to_owned),
        policy,
        tags,
    }
}

/// The rules of a policy as (tagStatus, countType, countNumber), in priority order.
fn rules(policy: &Value) -> Vec<(String, String, u64)> {
    let mut rules: Vec<&Value> = policy["rules"].as_array().unwrap().iter().collect();
    rules.sort_by_key(|r| r["rulePriority"].as_u64());
    rules
        .iter()
        .map(|r| {
            let s = &r["selection"];
            (
                s["tagStatus"].as_str().unwrap().to_owned(),
                s["countType"].as_str().unwrap().to_owned(),
                s["countNumber"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn creates_with_each_option_and_the_api_reads_them_back() {
    let (clients, account) = ecr_support::fresh_account().await;
    // ECR looks a named key up and refuses one that does not exist (rule ecr.kms.key-and-grants).
    sdk::kms_key_with_alias(&clients, "alias/berth-test").await;

    let mut defaults = new_repository("web");
    let mut immutable_kms = new_repository("team/api");
    immutable_kms.scan_on_push = false;
    immutable_kms.tag_mutability = TagMutability::Immutable;
    immutable_kms.encryption = Encryption::Kms { key: None };
    immutable_kms.lifecycle = LifecycleRule {
        keep_last: Some(3),
        untagged_days: None,
    };
    let mut kms_alias = new_repository("worker");
    kms_alias.encryption = Encryption::Kms {
        key: Some("alias/berth-test".into()),
    };
    kms_alias.lifecycle = LifecycleRule {
        keep_last: None,
        untagged_days: Some(14),
    };
    let mut no_lifecycle = new_repository("scratch");
    no_lifecycle.lifecycle = LifecycleRule::default();

    for input in [&defaults, &immutable_kms, &kms_alias, &no_lifecycle] {
        let created = repository::create_repository(&clients, input)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", input.name));
        assert_eq!(created.lifecycle_error, None);
        let repo = &created.details.repository;
        assert_eq!(repo.name, input.name);
        assert_eq!(
            repo.uri,
            format!("{account}.dkr.ecr.us-east-1.amazonaws.com/{}", input.name)
        );
        assert_eq!(created.details.managed, Some(true));

        let api = read_back(&clients, &input.name).await;
        assert_eq!(api.scan_on_push, input.scan_on_push, "{}", input.name);
        assert_eq!(
            api.mutability,
            input.tag_mutability.as_cli(),
            "{}",
            input.name
        );
        assert_eq!(
            api.tags.get("berth:managed").map(String::as_str),
            Some("true")
        );
        assert_eq!(api.tags.get("berth:app"), Some(&input.name));
        match &input.encryption {
            Encryption::Aes256 => assert_eq!(api.encryption, "AES256"),
            Encryption::Kms { key } => {
                assert_eq!(api.encryption, "KMS");
                if let Some(key) = key {
                    assert_eq!(api.kms_key.as_ref(), Some(key));
                }
            }
            Encryption::KmsDsse { .. } => unreachable!(),
        }
        let expected_rules: Vec<(String, String, u64)> = [
            input
                .lifecycle
                .untagged_days
                .map(|d| ("untagged", "sinceImagePushed", d)),
            input
                .lifecycle
                .keep_last
                .map(|n| ("any", "imageCountMoreThan", n)),
        ]
        .into_iter()
        .flatten()
        .map(|(s, c, n)| (s.to_owned(), c.to_owned(), u64::from(n)))
        .collect();
        match &api.policy {
            Some(policy) => assert_eq!(rules(policy), expected_rules, "{}", input.name),
            None => assert!(expected_rules.is_empty(), "{} has no policy", input.name),
        }
        // What Berth reports matches what the API holds.
        let summary = created.details.lifecycle.as_ref();
        assert_eq!(summary.and_then(|s| s.keep_last), input.lifecycle.keep_last);
        assert_eq!(
            summary.and_then(|s| s.untagged_days),
            input.lifecycle.untagged_days
        );
    }

    // Each create is in the activity log with the exact command shown beforehand.
    defaults.name = "web".into();
    let preview = repositories::planned_commands(
        &clients,
        &PlannedAction::CreateRepository {
            repository: defaults.clone(),
        },
    );
    let log = clients.activity();
    let recorded: Vec<String> = log
        .recent(100)
        .into_iter()
        .filter(|e| e.target == "web")
        .map(|e| e.command)
        .collect();
    assert_eq!(recorded, preview);
    assert!(
        preview[0].starts_with(
            "aws ecr create-repository --repository-name web \
         --image-scanning-configuration scanOnPush=true --image-tag-mutability MUTABLE \
         --encryption-configuration encryptionType=AES256 \
         --tags Key=berth:managed,Value=true Key=berth:app,Value=web --region us-east-1"
        ),
        "{}",
        preview[0]
    );
    assert!(preview[1].starts_with(
        "aws ecr put-lifecycle-policy --repository-name web --lifecycle-policy-text '{"
    ));
    assert!(preview[1].contains("--endpoint-url http://127.0.0.1:"));
    let actions: Vec<String> = log.recent(100).into_iter().map(|e| e.action).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "ecr.createRepository")
            .count(),
        4
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "ecr.putLifecyclePolicy")
            .count(),
        3
    );
}

#[tokio::test]
async fn a_taken_name_is_refused_as_already_existing_and_the_first_one_is_untouched() {
    let (clients, _) = ecr_support::fresh_account().await;
    let first = new_repository("web");
    repository::create_repository(&clients, &first)
        .await
        .unwrap();

    let mut second = new_repository("web");
    second.tag_mutability = TagMutability::Immutable;
    let err = repository::create_repository(&clients, &second)
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::AlreadyExists, "{err}");
    assert_eq!(err.param("name"), Some("web"));
    assert_eq!(err.param("resource"), Some("repository"));
    assert_eq!(read_back(&clients, "web").await.mutability, "MUTABLE");
    let last = clients.activity().recent(1).remove(0);
    assert_eq!(last.status, ActivityStatus::Failed);
    assert_eq!(last.error, Some(ErrorKind::AlreadyExists));
}

#[tokio::test]
async fn picking_an_existing_repository_shows_its_lifecycle_and_who_made_it() {
    let (clients, _) = ecr_support::fresh_account().await;
    ecr_support::create_plain(&clients, "legacy").await;

    let details = repository::repository_details(&clients, "legacy")
        .await
        .unwrap();
    assert_eq!(details.repository.name, "legacy");
    assert_eq!(details.lifecycle, None, "images would be kept forever");
    assert_eq!(details.managed, Some(false));
    // Picking only reads: the check is tallied with the reads, not an entry of the log.
    let log = clients.activity();
    assert!(log.recent(10).is_empty(), "{:?}", log.recent(10));
    let describe = support::read_of(log, "ecr.describeRepositories").last;
    assert_eq!(describe.target, "legacy");
    assert!(describe
        .command
        .starts_with("aws ecr describe-repositories --repository-names legacy"));
    assert_eq!(
        repositories::planned_commands(
            &clients,
            &PlannedAction::ChooseRepository {
                name: "legacy".into()
            }
        ),
        [describe.command]
    );

    // The step offers to add the rule; afterwards the repository reports it.
    let rule = LifecycleRule {
        keep_last: Some(5),
        untagged_days: Some(2),
    };
    let summary = repository::put_lifecycle_rule(&clients, "legacy", &rule)
        .await
        .unwrap();
    assert_eq!(
        (summary.keep_last, summary.untagged_days),
        (Some(5), Some(2))
    );
    let preview = repositories::planned_commands(
        &clients,
        &PlannedAction::PutLifecycleRule {
            name: "legacy".into(),
            rule,
        },
    );
    assert_eq!(preview, [log.recent(1)[0].command.clone()]);
    let api = read_back(&clients, "legacy").await;
    assert_eq!(
        rules(api.policy.as_ref().unwrap()),
        [
            ("untagged".to_owned(), "sinceImagePushed".to_owned(), 2),
            ("any".to_owned(), "imageCountMoreThan".to_owned(), 5)
        ]
    );

    let err = repository::repository_details(&clients, "never-made")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(err.param("name"), Some("never-made"));
}

#[tokio::test]
async fn deletes_an_empty_repository_without_typing_its_name() {
    let (clients, _) = ecr_support::fresh_account().await;
    ecr_support::create_plain(&clients, "empty").await;

    let outcome = repositories::delete_repository(&clients, "empty", None)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RepositoryDeletion::Deleted {
            name: "empty".into(),
            forced: false
        }
    );
    assert!(!ecr_support::exists(&clients, "empty").await);
    let entry = clients.activity().recent(1).remove(0);
    assert_eq!(entry.action, "ecr.deleteRepository");
    assert!(entry
        .command
        .starts_with("aws ecr delete-repository --repository-name empty --region"));
}

#[tokio::test]
async fn a_repository_with_images_is_refused_without_its_typed_name_and_removed_with_it() {
    let (clients, _) = ecr_support::fresh_account().await;
    let full = ecr_support::unique_repository("full");
    repository::create_repository(&clients, &new_repository(&full))
        .await
        .unwrap();
    let (_, v1) = ecr_support::push_image(&full, "v1", 3);
    let (_, v2) = ecr_support::push_image(&full, "v2", 2);

    // No confirmation: nothing is deleted, and the answer says what would be lost.
    let outcome = repositories::delete_repository(&clients, &full, None)
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RepositoryDeletion::NeedsConfirmation {
            name: full.clone(),
            image_count: 2,
            total_bytes: v1 + v2
        }
    );
    assert!(ecr_support::exists(&clients, &full).await);

    // A wrong name typed: refused before any call.
    let err = repositories::delete_repository(&clients, &full, Some(&full[1..]))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(err.param("field"), Some("confirmation"));
    assert!(ecr_support::exists(&clients, &full).await);

    // The exact name typed: the repository and its images go.
    let outcome = repositories::delete_repository(&clients, &full, Some(&full))
        .await
        .unwrap();
    assert_eq!(
        outcome,
        RepositoryDeletion::Deleted {
            name: full.clone(),
            forced: true
        }
    );
    assert!(!ecr_support::exists(&clients, &full).await);
    let deletes: Vec<_> = clients
        .activity()
        .recent(100)
        .into_iter()
        .filter(|e| e.action == "ecr.deleteRepository")
        .collect();
    assert_eq!(
        deletes.len(),
        2,
        "the refused attempt and the forced delete"
    );
    assert_eq!(deletes[0].status, ActivityStatus::Failed);
    assert!(deletes[1]
        .command
        .contains(&format!("--repository-name {full} --force")));
    assert_eq!(deletes[1].status, ActivityStatus::Succeeded);
}

#[tokio::test]
async fn deleting_a_repository_that_is_already_gone_says_so_and_changes_nothing() {
    let (clients, _) = ecr_support::fresh_account().await;
    ecr_support::create_plain(&clients, "elsewhere").await;
    // Deleted by someone else (the console, another Berth) after the list was read.
    sdk::ecr(&clients)
        .delete_repository()
        .repository_name("elsewhere")
        .send()
        .await
        .unwrap();

    for confirmation in [None, Some("elsewhere")] {
        let outcome = repositories::delete_repository(&clients, "elsewhere", confirmation)
            .await
            .unwrap();
        assert_eq!(
            outcome,
            RepositoryDeletion::AlreadyGone {
                name: "elsewhere".into()
            }
        );
    }
    // Each attempt is in the activity log, as every change Berth tries is: failed, as not found.
    let tried = clients.activity().recent(10);
    assert_eq!(tried.len(), 2, "{tried:?}");
    assert!(
        tried.iter().all(|e| e.action == "ecr.deleteRepository"
            && e.status == ActivityStatus::Failed
            && e.error == Some(ErrorKind::NotFound)),
        "{tried:?}"
    );
    assert!(!ecr_support::exists(&clients, "elsewhere").await);
}

#[tokio::test]
async fn listing_more_repositories_than_one_api_page_returns_them_all() {
    // AWS pages DescribeRepositories at 1000 at most; one more than that needs a second page.
    // moto 5.2 ignores maxResults and answers with one page, so against moto this proves that
    // nothing is cut off at any page size AWS could use; the page loop is the SDK's paginator.
    let (clients, _) = ecr_support::fresh_account().await;
    let total = MAX_PAGE as usize + 1;
    let mut tasks = tokio::task::JoinSet::new();
    let names: Vec<String> = (0..total).map(|i| format!("svc-{i:04}")).collect();
    for chunk in names.chunks(total.div_ceil(8)) {
        let clients = clients.clone();
        let chunk = chunk.to_vec();
        tasks.spawn(async move {
            for name in chunk {
                ecr_support::create_plain(&clients, &name).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }

    let list = repositories::list_repositories(&clients).await.unwrap();
    let listed: Vec<&str> = list.repositories.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(listed.len(), total);
    assert_eq!(listed, names, "every repository, sorted by name");
    assert_eq!(list.region, "us-east-1");
    assert_eq!(list.pricing.per_gb_month_usd, 0.10);
    assert!(list
        .command
        .starts_with("aws ecr describe-repositories --region us-east-1"));
    // Listing is a read: one tallied read for the whole list, every page, and no entry.
    let log = clients.activity();
    let reads = log.reads();
    assert_eq!(
        reads.len(),
        1,
        "one recorded action for the whole list: {reads:?}"
    );
    assert_eq!(reads[0].last.action, "ecr.describeRepositories");
    assert_eq!(reads[0].count, 1, "one recorded action for the whole list");
    assert_eq!(reads[0].last.command, list.command);
    assert!(log.recent(10).is_empty());
}

#[tokio::test]
async fn usage_counts_images_sizes_and_cost_marks_berth_repositories_and_reports_gone_ones() {
    let (clients, _) = ecr_support::fresh_account().await;
    let app_repo = ecr_support::unique_repository("app");
    repository::create_repository(&clients, &new_repository(&app_repo))
        .await
        .unwrap();
    let (_, v1) = ecr_support::push_image(&app_repo, "v1", 3);
    let (_, v2) = ecr_support::push_image(&app_repo, "v2", 1);
    ecr_support::create_plain(&clients, "other").await;
    let list = repositories::list_repositories(&clients).await.unwrap();
    let mut refs: Vec<RepositoryRef> = list
        .repositories
        .iter()
        .map(|r| RepositoryRef {
            name: r.name.clone(),
            arn: r.arn.clone(),
        })
        .collect();
    let mut gone_ref = refs[0].clone();
    gone_ref.name = "deleted-meanwhile".into();
    gone_ref.arn = gone_ref.arn.replace(
        &format!("repository/{app_repo}"),
        "repository/deleted-meanwhile",
    );
    refs.push(gone_ref);

    let usage = repositories::repository_usage(&clients, refs).await;
    assert_eq!(usage.len(), 3, "one answer per repository, in order");
    match &usage[0] {
        RepositoryUsage::Measured {
            name,
            image_count,
            total_bytes,
            monthly_cost_usd,
            managed,
            app,
        } => {
            assert_eq!(name, &app_repo);
            assert_eq!(*image_count, 2);
            assert_eq!(*total_bytes, v1 + v2);
            // 0.10 USD per GB-month (ECR's GB is 2^30 bytes).
            let expected = (v1 + v2) as f64 / (1024.0 * MB as f64) * 0.10;
            assert!(
                (monthly_cost_usd - expected).abs() < 1e-12,
                "{monthly_cost_usd} for {total_bytes} bytes"
            );
            assert_eq!(*managed, Some(true));
            assert_eq!(app.as_deref(), Some(app_repo.as_str()));
        }
        other => panic!("{other:?}"),
    }
    match &usage[1] {
        RepositoryUsage::Measured {
            name,
            image_count,
            total_bytes,
            managed,
            ..
        } => {
            assert_eq!(name, "other");
            assert_eq!((*image_count, *total_bytes), (0, 0));
            assert_eq!(*managed, Some(false));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        usage[2],
        RepositoryUsage::Gone {
            name: "deleted-meanwhile".into()
        }
    );
}

#[tokio::test]
async fn images_are_listed_newest_first_and_only_the_selected_ones_are_deleted() {
    let (clients, _) = ecr_support::fresh_account().await;
    let imgs = ecr_support::unique_repository("imgs");
    ecr_support::create_plain(&clients, &imgs).await;
    let (old, _) = ecr_support::push_image(&imgs, "v1", 1);
    let (mid, _) = ecr_support::push_image(&imgs, "v2", 2);
    let (new, new_size) = ecr_support::push_image(&imgs, "v3", 3);

    let images = repositories::list_images(&clients, &imgs).await.unwrap();
    assert_eq!(images.len(), 3);
    let by_digest: BTreeMap<&str, _> = images.iter().map(|i| (i.digest.as_str(), i)).collect();
    assert_eq!(by_digest[old.as_str()].tags, ["v1"]);
    assert_eq!(by_digest[new.as_str()].size_bytes, new_size);
    assert!(images.iter().all(|i| i.pushed_at.is_some()));
    assert!(
        images.windows(2).all(|w| w[0].pushed_at >= w[1].pushed_at),
        "newest first"
    );
    let log = clients.activity();
    let described = support::read_of(log, "ecr.describeImages").last;
    assert_eq!(described.target, imgs);
    assert_eq!(described.status, ActivityStatus::Succeeded);

    // Someone else removed `mid` meanwhile: it counts as gone, not as a failure.
    sdk::ecr(&clients)
        .batch_delete_image()
        .repository_name(&imgs)
        .image_ids(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_digest(&mid)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let outcome = repositories::delete_images(&clients, &imgs, &[old.clone(), mid.clone()])
        .await
        .unwrap();
    assert_eq!(outcome.deleted, [old.as_str()]);
    assert_eq!(outcome.already_gone, [mid.as_str()]);
    assert!(outcome.failures.is_empty());
    let left: Vec<String> = repositories::list_images(&clients, &imgs)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.digest)
        .collect();
    assert_eq!(left, [new.as_str()]);
    let batch = log
        .recent(10)
        .into_iter()
        .find(|e| e.action == "ecr.batchDeleteImage")
        .unwrap();
    assert!(batch
        .command
        .contains(&format!("--image-ids imageDigest={old} imageDigest={mid}")));

    // Bad input never reaches AWS; a repository that is gone is NotFound.
    let err = repositories::delete_images(&clients, &imgs, &["latest".into()])
        .await
        .unwrap_err();
    assert_eq!(err.param("field"), Some("imageDigest"));
    let err = repositories::delete_images(&clients, &imgs, &[])
        .await
        .unwrap_err();
    assert_eq!(err.param("field"), Some("images"));
    let err = repositories::delete_images(&clients, "no-such-repo", &[new])
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(err.param("name"), Some("no-such-repo"));
    let err = repositories::list_images(&clients, "no-such-repo")
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
}

//! The Price List API through the AWS SDK with a replayed HTTP exchange. No local emulator has
//! this API (moto has no `pricing`), so these tests answer the SDK's requests with responses
//! written from the API reference — the only place a test double stands in for AWS.
//!
//! The shapes come from the AWS Billing and Cost Management API Reference, "GetProducts"
//! (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html):
//! the request is JSON 1.1 (`X-Amz-Target: AWSPriceListService.GetProducts`) with `ServiceCode`,
//! `Filters` (`Type` `TERM_MATCH`, `Field`, `Value`), `FormatVersion` `aws_v1`, `MaxResults` and
//! `NextToken`; the response is `{"FormatVersion": "aws_v1", "NextToken": "…", "PriceList":
//! ["<product JSON>", …]}` where each PriceList entry is a JSON *string*: `{"product":
//! {"productFamily", "attributes": {"usagetype", "regionCode", …}, "sku"}, "serviceCode",
//! "terms": {"OnDemand": {"<sku>.<offerTermCode>": {"priceDimensions": {"<sku>.<offerTermCode>.
//! <rateCode>": {"unit", "description", "pricePerUnit": {"USD": "0.0404800000"}, …}}, …}}},
//! "version", "publicationDate"}`. An identity without `pricing:GetProducts` gets
//! `AccessDeniedException` (listed under Errors on the same page).

use super::*;
use crate::fargate::Architecture;
use crate::pricing::{fargate_estimate, fargate_prices, CostInput};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// One request as the SDK sent it.
#[derive(Debug, Clone)]
struct Sent {
    uri: String,
    target: String,
    body: Value,
}

/// Answers each request with the next canned response, and keeps the requests.
#[derive(Debug, Clone, Default)]
struct Replay {
    responses: Arc<Mutex<VecDeque<(u16, String)>>>,
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Replay {
    fn new(responses: impl IntoIterator<Item = (u16, String)>) -> Self {
        Replay {
            responses: Arc::new(Mutex::new(responses.into_iter().collect())),
            sent: Arc::default(),
        }
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }
}

impl HttpConnector for Replay {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let body = request
            .body()
            .bytes()
            .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
            .unwrap_or(Value::Null);
        self.sent.lock().unwrap().push(Sent {
            uri: request.uri().to_owned(),
            target: request
                .headers()
                .get("x-amz-target")
                .unwrap_or_default()
                .to_owned(),
            body,
        });
        let (status, text) = self
            .responses
            .lock()
            .unwrap()
            .pop_front()
            .expect("a request the test did not expect");
        let mut response =
            HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(text));
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.1");
        response
            .headers_mut()
            .insert("x-amzn-requestid", "6a1b7a1e-0000-4000-8000-000000000000");
        HttpConnectorFuture::ready(Ok(response))
    }
}

impl HttpClient for Replay {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// Clients for `region` whose requests the replay answers.
fn clients(region: &str, replay: &Replay) -> AwsClients {
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        )))
        .retry_config(RetryConfig::disabled())
        .sleep_impl(aws_smithy_async::rt::sleep::TokioSleep::new())
        .http_client(replay.clone())
        .build();
    AwsClients::from_sdk_config(config)
}

/// A Price List product of `service` as the API reference shows one (a JSON string).
fn product(service: &str, region: &str, usage: &str, usd: f64) -> String {
    let sku = format!("SKU{}", usage.len() * 7919 % 100_000);
    let offer = format!("{sku}.JRTCKXETXF");
    let rate = format!("{offer}.6YS6EN2CT7");
    json!({
        "product": {
            "productFamily": "Compute",
            "attributes": {
                "regionCode": region,
                "servicecode": service,
                "usagetype": usage,
                "operation": "",
                "servicename": "Amazon Elastic Container Service"
            },
            "sku": sku
        },
        "serviceCode": service,
        "terms": {
            "OnDemand": {
                offer.clone(): {
                    "priceDimensions": {
                        rate.clone(): {
                            "unit": "hours",
                            "endRange": "Inf",
                            "description": format!("{usage} price"),
                            "appliesTo": [],
                            "rateCode": rate,
                            "beginRange": "0",
                            "pricePerUnit": { "USD": format!("{usd:.10}") }
                        }
                    },
                    "sku": sku,
                    "effectiveDate": "2026-11-01T00:00:00Z",
                    "offerTermCode": "JRTCKXETXF",
                    "termAttributes": {}
                }
            }
        },
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z"
    })
    .to_string()
}

fn page(items: &[String], next: Option<&str>) -> (u16, String) {
    let mut body = json!({ "FormatVersion": "aws_v1", "PriceList": items });
    if let Some(token) = next {
        body["NextToken"] = json!(token);
    }
    (200, body.to_string())
}

/// Paris's products: the four Fargate prices (0.04656 is a change from the bundled 0.0486),
/// and others the filter also matches (Windows, Spot) that must not be taken for them.
fn paris_ecs() -> Vec<String> {
    vec![
        product(
            "AmazonECS",
            "eu-west-3",
            "EUW3-Fargate-vCPU-Hours:perCPU",
            0.04656,
        ),
        product("AmazonECS", "eu-west-3", "EUW3-Fargate-GB-Hours", 0.0051),
        product(
            "AmazonECS",
            "eu-west-3",
            "EUW3-Fargate-ARM-vCPU-Hours:perCPU",
            0.03725,
        ),
        product(
            "AmazonECS",
            "eu-west-3",
            "EUW3-Fargate-ARM-GB-Hours",
            0.00409,
        ),
        product(
            "AmazonECS",
            "eu-west-3",
            "EUW3-SpotUsage-Fargate-vCPU-Hours:perCPU",
            0.0146,
        ),
        product(
            "AmazonECS",
            "eu-west-3",
            "EUW3-Fargate-Windows-vCPU-Hours:perCPU",
            0.0921,
        ),
    ]
}

fn ipv4(region: &str, prefix: &str) -> String {
    product(
        "AmazonVPC",
        region,
        &format!("{prefix}-PublicIPv4:InUseAddress"),
        0.005,
    )
}

const NOW: i64 = 1_796_000_000;

#[tokio::test]
async fn the_request_goes_to_a_price_list_endpoint_with_the_region_filter_and_its_prices_are_read()
{
    let replay = Replay::new([
        page(&paris_ecs(), None),
        page(&[ipv4("eu-west-3", "EUW3")], None),
    ]);
    let refresh = read_region(&clients("eu-west-3", &replay), "eu-west-3", NOW).await;

    let sent = replay.sent();
    assert_eq!(sent.len(), 2, "{sent:?}");
    // Paris is served from Frankfurt: the Price List API answers only in three Regions.
    assert!(
        sent[0]
            .uri
            .starts_with("https://api.pricing.eu-central-1.amazonaws.com"),
        "{}",
        sent[0].uri
    );
    assert_eq!(sent[0].target, "AWSPriceListService.GetProducts");
    assert_eq!(sent[0].body["ServiceCode"], "AmazonECS");
    assert_eq!(sent[0].body["FormatVersion"], "aws_v1");
    assert_eq!(
        sent[0].body["Filters"],
        json!([{ "Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-3" }])
    );
    // The public IPv4 price: one product, by the usage type with the Region's own prefix.
    assert_eq!(sent[1].body["ServiceCode"], "AmazonVPC");
    assert_eq!(
        sent[1].body["Filters"],
        json!([
            { "Type": "TERM_MATCH", "Field": "regionCode", "Value": "eu-west-3" },
            { "Type": "TERM_MATCH", "Field": "usagetype", "Value": "EUW3-PublicIPv4:InUseAddress" }
        ])
    );

    assert_eq!(refresh.fallback, None);
    assert_eq!(
        refresh.live,
        Some(LiveRates {
            x86_vcpu_hour: 0.04656,
            x86_gb_hour: 0.0051,
            arm_vcpu_hour: 0.03725,
            arm_gb_hour: 0.00409,
            public_ipv4_hour: Some(0.005),
        })
    );
    assert_eq!(refresh.tried_at, NOW);
}

#[tokio::test]
async fn every_page_is_read_with_the_next_token() {
    let all = paris_ecs();
    let replay = Replay::new([
        page(
            &all[..2],
            Some("57r3EXAMPLEujbzWfHF7Ciw==:ywSmZsD3mtpQmQLQ5XfOsIMkYybSj"),
        ),
        page(&all[2..], None),
        page(&[ipv4("eu-west-3", "EUW3")], None),
    ]);
    let refresh = read_region(&clients("eu-west-3", &replay), "eu-west-3", NOW).await;
    let sent = replay.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[0].body.get("NextToken"), None);
    assert_eq!(
        sent[1].body["NextToken"],
        "57r3EXAMPLEujbzWfHF7Ciw==:ywSmZsD3mtpQmQLQ5XfOsIMkYybSj"
    );
    assert_eq!(sent[1].body["ServiceCode"], "AmazonECS");
    // The ARM prices were on the second page.
    let live = refresh.live.expect("live prices");
    assert_eq!(live.arm_vcpu_hour, 0.03725);
    assert_eq!(live.arm_gb_hour, 0.00409);
}

#[tokio::test]
async fn access_denied_keeps_the_bundled_prices_and_says_why() {
    let replay = Replay::new([(
        400,
        json!({
            "__type": "AccessDeniedException",
            "Message": "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: pricing:GetProducts"
        })
        .to_string(),
    )]);
    let refresh = read_region(&clients("eu-west-3", &replay), "eu-west-3", NOW).await;
    assert_eq!(replay.sent().len(), 1);
    assert_eq!(refresh.live, None);
    let fallback = refresh.fallback.expect("a reason");
    assert_eq!(fallback.reason, FallbackReason::AccessDenied);
    assert_eq!(fallback.tried_at, NOW);
    assert!(
        fallback
            .details
            .as_deref()
            .is_some_and(|d| d.contains("pricing:GetProducts")),
        "{fallback:?}"
    );
}

#[tokio::test]
async fn a_price_far_from_the_bundled_one_is_rejected() {
    // 0.486 per vCPU-hour: ten times the bundled 0.0486 (a misplaced decimal point).
    let mut items = paris_ecs();
    items[0] = product(
        "AmazonECS",
        "eu-west-3",
        "EUW3-Fargate-vCPU-Hours:perCPU",
        0.486,
    );
    let replay = Replay::new([page(&items, None), page(&[ipv4("eu-west-3", "EUW3")], None)]);
    let refresh = read_region(&clients("eu-west-3", &replay), "eu-west-3", NOW).await;
    assert_eq!(refresh.live, None);
    let fallback = refresh.fallback.expect("a reason");
    assert_eq!(fallback.reason, FallbackReason::Implausible);
    assert_eq!(fallback.what.as_deref(), Some(X86_VCPU));
    assert_eq!(fallback.live, Some(0.486));
    assert_eq!(fallback.bundled, Some(0.0486));
}

#[tokio::test]
async fn an_answer_without_the_fargate_prices_is_not_used() {
    let items = paris_ecs()[4..].to_vec(); // only Spot and Windows
    let replay = Replay::new([page(&items, None)]);
    let refresh = read_region(&clients("eu-west-3", &replay), "eu-west-3", NOW).await;
    assert_eq!(refresh.live, None);
    assert_eq!(
        refresh.fallback.map(|f| f.reason),
        Some(FallbackReason::Incomplete)
    );
}

#[test]
fn usage_types_lose_only_their_regional_prefix() {
    assert_eq!(
        split_usage_type("USE1-Fargate-GB-Hours"),
        ("USE1", "Fargate-GB-Hours")
    );
    assert_eq!(
        split_usage_type("EU-Fargate-GB-Hours"),
        ("EU", "Fargate-GB-Hours")
    );
    assert_eq!(
        split_usage_type("Fargate-GB-Hours"),
        ("", "Fargate-GB-Hours")
    );
    let prices = usage_prices(&paris_ecs());
    assert_eq!(prices.get(X86_VCPU), Some(&0.04656));
    assert_eq!(
        prices.get("SpotUsage-Fargate-vCPU-Hours:perCPU"),
        Some(&0.0146)
    );
    // Not JSON, or without a price: skipped.
    assert!(usage_prices(&["not json".into(), "{}".into()]).is_empty());
}

#[test]
fn each_region_is_read_through_the_nearest_price_list_endpoint() {
    for (region, endpoint) in [
        ("us-east-1", "us-east-1"),
        ("us-west-2", "us-east-1"),
        ("sa-east-1", "us-east-1"),
        ("ca-central-1", "us-east-1"),
        ("eu-west-3", "eu-central-1"),
        ("me-south-1", "eu-central-1"),
        ("il-central-1", "eu-central-1"),
        ("af-south-1", "eu-central-1"),
        ("ap-northeast-2", "ap-south-1"),
    ] {
        assert_eq!(crate::aws::pricing::endpoint_region_for(region), endpoint);
        assert!(crate::aws::pricing::PRICE_LIST_ENDPOINT_REGIONS.contains(&endpoint));
    }
}

/// São Paulo and Canada only: the other tests of `pricing` read the bundled prices of other
/// Regions, and what a refresh remembers is shared by the whole process.
#[tokio::test]
async fn a_refresh_feeds_the_estimate_once_a_day_and_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let cache = PriceCache::in_dir(dir.path());
    let sao_paulo = vec![
        product(
            "AmazonECS",
            "sa-east-1",
            "SAE1-Fargate-vCPU-Hours:perCPU",
            0.0700,
        ),
        product("AmazonECS", "sa-east-1", "SAE1-Fargate-GB-Hours", 0.0077),
        product(
            "AmazonECS",
            "sa-east-1",
            "SAE1-Fargate-ARM-vCPU-Hours:perCPU",
            0.0560,
        ),
        product(
            "AmazonECS",
            "sa-east-1",
            "SAE1-Fargate-ARM-GB-Hours",
            0.00615,
        ),
    ];
    let replay = Replay::new([
        page(&sao_paulo, None),
        page(&[ipv4("sa-east-1", "SAE1")], None),
    ]);
    let clients = clients("sa-east-1", &replay);

    let first = refresh(&clients, &cache, "sa-east-1", NOW).await.unwrap();
    assert!(first.live.is_some(), "{first:?}");
    // Within a day nothing is asked again (the replay has no answer left: a request would fail).
    let again = refresh(&clients, &cache, "sa-east-1", NOW + 3600)
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(replay.sent().len(), 2);

    // The estimate uses the live prices and says so.
    let estimate = fargate_estimate(&CostInput {
        region: "sa-east-1",
        architecture: Architecture::X86_64,
        cpu: 1024,
        memory: 2048,
        count: 1,
        max_count: None,
        public_ip: false,
    })
    .unwrap();
    assert!(
        (estimate.per_hour - (0.0700 + 2.0 * 0.0077)).abs() < 1e-9,
        "{estimate:?}"
    );
    assert_eq!(estimate.source.fetched_at, Some(NOW));
    assert_eq!(estimate.source.fallback, None);

    // Saved for the next start.
    let saved = cache.load();
    assert!(saved.iter().any(|r| r == &first), "{saved:?}");

    // A denied refresh leaves the bundled prices, with the reason in their source.
    let denied = Replay::new([(
        400,
        json!({ "__type": "AccessDeniedException", "Message": "not authorized" }).to_string(),
    )]);
    refresh(
        &super::tests::clients("ca-central-1", &denied),
        &cache,
        "ca-central-1",
        NOW,
    )
    .await;
    let prices = fargate_prices("ca-central-1").unwrap();
    let bundled = bundled_prices("ca-central-1").unwrap();
    assert_eq!(prices.x86_vcpu_hour, bundled.x86_vcpu_hour);
    assert_eq!(prices.source.fetched_at, None);
    assert_eq!(
        prices.source.fallback.map(|f| f.reason),
        Some(FallbackReason::AccessDenied)
    );
    // The day after, it is tried again.
    assert!(!latest("ca-central-1")
        .unwrap()
        .is_fresh(NOW + REFRESH_AFTER_SECS));
}

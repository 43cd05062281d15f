//! The AWS Price List API (`pricing:GetProducts`), read side only. The API is served from a few
//! Regions only — us-east-1, eu-central-1 and ap-south-1 (AWS Billing User Guide, "Using the AWS
//! Price List Bulk API", Endpoints: "The endpoints aren't related to product or service
//! attributes") — whatever Region the prices are for, so its client is made for one of those,
//! not for the Region Berth works in.

use super::catalogue::pricing;
use super::AwsClients;
use crate::error::Result;
use aws_sdk_pricing::types::{Filter, FilterType};

/// The Regions the Price List API answers in.
pub const PRICE_LIST_ENDPOINT_REGIONS: [&str; 3] = ["us-east-1", "eu-central-1", "ap-south-1"];

/// At most this many pages (100 products each) are read: a Region's AmazonECS or AmazonVPC
/// products fit in a few; more means the filter matched far more than it should.
const MAX_PAGES: usize = 20;

/// The Price List endpoint Region nearest to `region`: Frankfurt for Europe, the Middle East,
/// Israel and Africa, Mumbai for Asia Pacific, N. Virginia for the rest.
pub fn endpoint_region_for(region: &str) -> &'static str {
    let area = region.split('-').next().unwrap_or_default();
    match area {
        "eu" | "me" | "il" | "af" => "eu-central-1",
        "ap" => "ap-south-1",
        _ => "us-east-1",
    }
}

/// Every product of `service_code` whose attributes match `filters` (`TERM_MATCH`, field =
/// value), as the Price List answers them: one JSON document per product, with its terms. All
/// pages are read (up to [`MAX_PAGES`]). `clients` must be for a Price List endpoint Region
/// ([`AwsClients::for_price_list`]).
pub async fn get_products(
    clients: &AwsClients,
    service_code: &str,
    filters: &[(&str, &str)],
) -> Result<Vec<String>> {
    let mut call = clients
        .call(&pricing::GET_PRODUCTS, service_code)
        .opt("--service-code", service_code)
        .opt("--format-version", "aws_v1");
    if !filters.is_empty() {
        call = call.list(
            "--filters",
            filters
                .iter()
                .map(|(field, value)| format!("Type=TERM_MATCH,Field={field},Value={value}")),
        );
    }
    let client = clients.pricing();
    let mut request = client
        .get_products()
        .service_code(service_code)
        .format_version("aws_v1")
        .max_results(100);
    for (field, value) in filters {
        request = request.filters(
            Filter::builder()
                .r#type(FilterType::TermMatch)
                .field(*field)
                .value(*value)
                .build()
                .expect("type, field and value are set"),
        );
    }
    call.send(
        async move {
            let mut pages = request.into_paginator().send();
            let mut items = Vec::new();
            let mut read = 0;
            while let Some(page) = pages.next().await {
                items.extend(page?.price_list.unwrap_or_default());
                read += 1;
                if read == MAX_PAGES {
                    break;
                }
            }
            Ok(items)
        },
        Ok,
    )
    .await
}

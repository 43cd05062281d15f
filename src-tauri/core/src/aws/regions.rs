//! The AWS regions Berth offers, and what Berth knows of each (`data/regions.json`). Their display
//! names live in the UI's catalogs (English and Korean), keyed by code.

use serde::Deserialize;
use std::sync::LazyLock;

/// Commercial regions where Fargate runs, in the order the console lists them.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "sa-east-1",
];

/// What Berth knows of each region it offers, with the source of every figure: see
/// `docs/region-data.md` (prices, whether the account must enable it, where Fargate runs).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionData {
    pub sources: Vec<Source>,
    pub regions: Vec<RegionFacts>,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub id: String,
    pub url: String,
    /// The date the source says it is from (`YYYY-MM-DD`).
    pub published: Option<String>,
    pub read: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionFacts {
    pub code: String,
    /// AWS "disables by default" the regions it introduced after March 20, 2019: an account must
    /// enable them, and until then every call answers that the security token is invalid.
    pub opt_in: bool,
    pub fargate: Option<FargatePrices>,
    pub public_ipv4_hour: Option<f64>,
    /// AWS's list of the Availability Zones (by id) Fargate runs in, where it gives one.
    pub fargate_supported_az_ids: Option<Vec<String>>,
    /// Availability Zones (by id) where Fargate does not run; `None` where it is not known.
    pub fargate_unsupported_az_ids: Option<Vec<String>>,
    /// Availability Zones where Fargate runs no ARM64 task.
    #[serde(default)]
    pub fargate_arm_unsupported_az_ids: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FargatePrices {
    pub x86: ComputePrices,
    pub arm: ComputePrices,
    pub ephemeral_gb_hour: Option<f64>,
    pub source: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputePrices {
    pub vcpu_hour: f64,
    pub gb_hour: f64,
}

/// The data, read once from `src-tauri/core/data/regions.json` (built into the binary).
pub static DATA: LazyLock<RegionData> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/regions.json"))
        .expect("data/regions.json is valid (scripts/check-region-data.py checks it)")
});

/// What Berth knows of `code`.
pub fn facts(code: &str) -> Option<&'static RegionFacts> {
    DATA.regions.iter().find(|r| r.code == code)
}

/// A source of the data, by id.
pub fn source(id: &str) -> Option<&'static Source> {
    DATA.sources.iter().find(|s| s.id == id)
}

/// A Region enabled in every account of the commercial partition (Regions launched before March
/// 20, 2019 cannot be disabled): where Berth checks keys an opt-in Region refused.
pub const ENABLED_IN_EVERY_ACCOUNT: &str = "us-east-1";

pub fn is_opt_in(code: &str) -> bool {
    facts(code).is_some_and(|r| r.opt_in)
}

/// Whether Fargate runs tasks of `arm` (or x86) in the Availability Zone `az_id` of `region`.
/// Where Berth does not know, it does not refuse.
pub fn fargate_runs_in(region: &str, az_id: &str, arm: bool) -> bool {
    let Some(r) = facts(region) else {
        return true;
    };
    if let Some(supported) = &r.fargate_supported_az_ids {
        if !supported.iter().any(|z| z == az_id) {
            return false;
        }
    }
    let unsupported = r.fargate_unsupported_az_ids.iter().flatten();
    let arm_unsupported = r.fargate_arm_unsupported_az_ids.iter().filter(|_| arm);
    !unsupported.chain(arm_unsupported).any(|z| z == az_id)
}

/// A region code as AWS writes them (`xx-name-N`); used to accept regions Berth does not list
/// yet, e.g. from a profile.
pub fn looks_like_region(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_covers_every_offered_region_and_names_its_sources() {
        let codes: Vec<&str> = DATA.regions.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, REGIONS);
        for r in &DATA.regions {
            if let Some(f) = &r.fargate {
                assert!(source(&f.source).is_some(), "{}: unknown source", r.code);
            }
        }
        assert!(is_opt_in("af-south-1") && is_opt_in("me-central-1"));
        assert!(!is_opt_in("us-east-1") && !is_opt_in("ap-northeast-3"));
    }

    #[test]
    fn fargate_availability_zones_follow_the_data() {
        assert!(!fargate_runs_in("us-west-1", "usw1-az2", false));
        assert!(fargate_runs_in("us-west-1", "usw1-az1", false));
        assert!(!fargate_runs_in("ap-northeast-1", "apne1-az3", false));
        assert!(fargate_runs_in("us-east-1", "use1-az3", false));
        assert!(!fargate_runs_in("us-east-1", "use1-az3", true));
        assert!(fargate_runs_in("xx-nowhere-1", "any", true));
    }

    #[test]
    fn every_listed_region_has_the_aws_shape() {
        assert!(REGIONS.iter().all(|r| looks_like_region(r)));
        assert!(looks_like_region("us-gov-west-1"));
        for bad in ["", "useast1", "us-east", "US-EAST-1", "us-east-1a", "us--1"] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}

//! Live prices: today's Fargate and public IPv4 prices of a Region, read from AWS's Price List API
//! (`pricing:GetProducts`) when the signed-in identity may call it, at most once a day per Region.
//! Whatever goes wrong — no permission, no network, an answer without the prices, a price far from
//! the bundled one — the bundled price list stays in use, and the reason is kept so the UI can
//! say which prices it shows and why.
//!
//! What was read is remembered in memory (for every estimate) and in `prices.json` in the app's
//! data folder (for the next start).

use super::{bundled_prices, FargateRegionPrices};
use crate::aws::pricing::get_products;
use crate::aws::AwsClients;
use crate::error::{BerthError, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, RwLock};
use ts_rs::TS;

/// A Region's prices are read again when the last try is older than this.
pub const REFRESH_AFTER_SECS: i64 = 24 * 3600;

/// How long a refresh may take: the Price List answers in about a second, and a slow network
/// must not hold the estimate that waits for it. A refresh that takes longer counts as failed.
pub const READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// A live price more than this many times the bundled one (or less than its inverse) is taken
/// for a misreading, not a price change: AWS has never changed a Fargate price by that much.
pub const PLAUSIBLE_FACTOR: f64 = 3.0;

/// Usage types of the Price List (without their Regional prefix, `USE1-`, `EU-`, `APN2-`…), as
/// `docs/region-data.md` lists them.
pub const X86_VCPU: &str = "Fargate-vCPU-Hours:perCPU";
pub const X86_GB: &str = "Fargate-GB-Hours";
pub const ARM_VCPU: &str = "Fargate-ARM-vCPU-Hours:perCPU";
pub const ARM_GB: &str = "Fargate-ARM-GB-Hours";
pub const PUBLIC_IPV4: &str = "PublicIPv4:InUseAddress";

/// The prices read from the Price List, USD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveRates {
    pub x86_vcpu_hour: f64,
    pub x86_gb_hour: f64,
    pub arm_vcpu_hour: f64,
    pub arm_gb_hour: f64,
    /// `None` when the AmazonVPC answer had no public IPv4 price: the bundled one is used.
    pub public_ipv4_hour: Option<f64>,
}

/// Why the bundled prices are shown although a live refresh was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum FallbackReason {
    /// The identity may not call `pricing:GetProducts`.
    AccessDenied,
    /// Any other failure (network, throttling, an unreadable answer).
    Failed,
    /// The answer lacked one of the four Fargate prices.
    Incomplete,
    /// A live price differs from the bundled one by more than [`PLAUSIBLE_FACTOR`].
    Implausible,
}

/// A live refresh that was not used, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PriceFallback {
    pub reason: FallbackReason,
    /// The tried time, seconds since the Unix epoch.
    #[ts(type = "number")]
    pub tried_at: i64,
    /// For `implausible`: the Price List usage type, the live and the bundled price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub what: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub live: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bundled: Option<f64>,
    /// The error, for "Details".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub details: Option<String>,
}

/// The outcome of the last refresh of one Region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionRefresh {
    pub region: String,
    /// Seconds since the Unix epoch.
    pub tried_at: i64,
    /// The prices read, when they were used.
    pub live: Option<LiveRates>,
    /// Why they were not, otherwise.
    pub fallback: Option<PriceFallback>,
}

impl RegionRefresh {
    fn fallback(region: &str, tried_at: i64, reason: FallbackReason) -> Self {
        RegionRefresh {
            region: region.to_owned(),
            tried_at,
            live: None,
            fallback: Some(PriceFallback {
                reason,
                tried_at,
                what: None,
                live: None,
                bundled: None,
                details: None,
            }),
        }
    }

    fn with_details(mut self, details: String) -> Self {
        if let Some(f) = &mut self.fallback {
            f.details = Some(details);
        }
        self
    }

    /// Whether it is recent enough not to ask again at `now`.
    pub fn is_fresh(&self, now: i64) -> bool {
        now - self.tried_at < REFRESH_AFTER_SECS && now >= self.tried_at
    }
}

/// The USD price of each usage type in `items` (the Price List's JSON product documents), keyed
/// by the usage type without its Regional prefix. A product's on-demand price is
/// `terms.OnDemand.<offer>.priceDimensions.<dimension>.pricePerUnit.USD`, a decimal string.
/// Products that are not shaped so are skipped; the first price of a usage type wins.
pub fn usage_prices(items: &[String]) -> BTreeMap<String, f64> {
    let mut prices = BTreeMap::new();
    for item in items {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(item) else {
            continue;
        };
        let Some(usage) = doc
            .pointer("/product/attributes/usagetype")
            .and_then(|u| u.as_str())
        else {
            continue;
        };
        let Some(price) = on_demand_usd(&doc) else {
            continue;
        };
        let (_, usage) = split_usage_type(usage);
        prices.entry(usage.to_owned()).or_insert(price);
    }
    prices
}

/// `USE1-Fargate-GB-Hours` → (`USE1`, `Fargate-GB-Hours`). The Regional prefix has no `-` of its
/// own and is capitals and digits; a usage type without one is returned whole.
pub fn split_usage_type(usage: &str) -> (&str, &str) {
    match usage.split_once('-') {
        Some((prefix, rest))
            if !prefix.is_empty()
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            (prefix, rest)
        }
        _ => ("", usage),
    }
}

fn on_demand_usd(doc: &serde_json::Value) -> Option<f64> {
    let offers = doc.pointer("/terms/OnDemand")?.as_object()?;
    offers.values().find_map(|offer| {
        offer
            .get("priceDimensions")?
            .as_object()?
            .values()
            .find_map(|d| {
                d.pointer("/pricePerUnit/USD")?
                    .as_str()?
                    .parse::<f64>()
                    .ok()
            })
    })
}

/// The Regional usage-type prefix the products of `items` use (`USE1`), if any.
fn usage_prefix(items: &[String]) -> Option<String> {
    items.iter().find_map(|item| {
        let doc = serde_json::from_str::<serde_json::Value>(item).ok()?;
        let usage = doc.pointer("/product/attributes/usagetype")?.as_str()?;
        let (prefix, rest) = split_usage_type(usage);
        (!prefix.is_empty() && rest.starts_with("Fargate-")).then(|| prefix.to_owned())
    })
}

/// Checks live rates against the bundled ones: the first implausible one, as (usage type, live,
/// bundled).
pub fn implausible(live: &LiveRates, bundled: &FargateRegionPrices) -> Option<(String, f64, f64)> {
    let mut pairs = vec![
        (X86_VCPU, live.x86_vcpu_hour, bundled.x86_vcpu_hour),
        (X86_GB, live.x86_gb_hour, bundled.x86_gb_hour),
        (ARM_VCPU, live.arm_vcpu_hour, bundled.arm_vcpu_hour),
        (ARM_GB, live.arm_gb_hour, bundled.arm_gb_hour),
    ];
    if let Some(ipv4) = live.public_ipv4_hour {
        pairs.push((PUBLIC_IPV4, ipv4, bundled.public_ipv4_hour));
    }
    pairs.into_iter().find_map(|(what, live, bundled)| {
        let plausible =
            live > 0.0 && live <= bundled * PLAUSIBLE_FACTOR && live >= bundled / PLAUSIBLE_FACTOR;
        (!plausible).then(|| (what.to_owned(), live, bundled))
    })
}

fn fallback_for_error(region: &str, now: i64, err: &BerthError) -> RegionRefresh {
    let reason = if err.kind == ErrorKind::AccessDenied {
        FallbackReason::AccessDenied
    } else {
        FallbackReason::Failed
    };
    RegionRefresh::fallback(region, now, reason).with_details(err.to_string())
}

/// Reads `region`'s prices from the Price List API with the identity of `clients` (through the
/// endpoint nearest to the Region) and decides whether to use them. Never fails: a failure is a
/// fallback with its reason. Remembers nothing (see [`refresh`]).
pub async fn read_region(clients: &AwsClients, region: &str, now: i64) -> RegionRefresh {
    let price_list = clients.for_price_list(region);
    let ecs = match get_products(&price_list, "AmazonECS", &[("regionCode", region)]).await {
        Ok(items) => items,
        Err(err) => return fallback_for_error(region, now, &err),
    };
    let prices = usage_prices(&ecs);
    let (Some(&x86_vcpu_hour), Some(&x86_gb_hour), Some(&arm_vcpu_hour), Some(&arm_gb_hour)) = (
        prices.get(X86_VCPU),
        prices.get(X86_GB),
        prices.get(ARM_VCPU),
        prices.get(ARM_GB),
    ) else {
        let found: Vec<&str> = prices.keys().map(String::as_str).collect();
        return RegionRefresh::fallback(region, now, FallbackReason::Incomplete)
            .with_details(format!("usage types found: {}", found.join(", ")));
    };
    // The public IPv4 price is one AmazonVPC product, found by its exact usage type; without it
    // the bundled one is used.
    let public_ipv4_hour = match usage_prefix(&ecs) {
        Some(prefix) => {
            let usage = format!("{prefix}-{PUBLIC_IPV4}");
            get_products(
                &price_list,
                "AmazonVPC",
                &[("regionCode", region), ("usagetype", &usage)],
            )
            .await
            .ok()
            .and_then(|items| usage_prices(&items).get(PUBLIC_IPV4).copied())
        }
        None => None,
    };
    let live = LiveRates {
        x86_vcpu_hour,
        x86_gb_hour,
        arm_vcpu_hour,
        arm_gb_hour,
        public_ipv4_hour,
    };
    if let Some(bundled) = bundled_prices(region) {
        if let Some((what, live_price, bundled_price)) = implausible(&live, bundled) {
            let mut refresh = RegionRefresh::fallback(region, now, FallbackReason::Implausible);
            if let Some(f) = &mut refresh.fallback {
                f.what = Some(what);
                f.live = Some(live_price);
                f.bundled = Some(bundled_price);
            }
            return refresh;
        }
    }
    RegionRefresh {
        region: region.to_owned(),
        tried_at: now,
        live: Some(live),
        fallback: None,
    }
}

static REFRESHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

static REFRESHED: LazyLock<RwLock<BTreeMap<String, RegionRefresh>>> =
    LazyLock::new(|| RwLock::new(BTreeMap::new()));

/// The last refresh of `region` this run knows of.
pub fn latest(region: &str) -> Option<RegionRefresh> {
    REFRESHED
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .get(region)
        .cloned()
}

/// Makes `refresh` the one every estimate of its Region uses.
pub fn remember(refresh: RegionRefresh) {
    REFRESHED
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .insert(refresh.region.clone(), refresh);
}

fn all() -> Vec<RegionRefresh> {
    REFRESHED
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .cloned()
        .collect()
}

/// `prices.json` in the app's data folder: the last refresh of each Region.
#[derive(Debug, Clone)]
pub struct PriceCache {
    path: PathBuf,
}

impl PriceCache {
    pub fn in_dir(dir: &Path) -> Self {
        PriceCache {
            path: dir.join("prices.json"),
        }
    }

    /// The refreshes saved; none when there is no file or it cannot be read (it is only a cache).
    pub fn load(&self) -> Vec<RegionRefresh> {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Loads the saved refreshes into memory (at start).
    pub fn restore(&self) {
        for refresh in self.load() {
            remember(refresh);
        }
    }

    pub fn save(&self, refreshes: &[RegionRefresh]) -> Result<()> {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = self.path.with_extension("json.tmp");
            let text = serde_json::to_string_pretty(refreshes).map_err(std::io::Error::other)?;
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| BerthError::internal(format!("saving {}: {e}", self.path.display())))
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Refreshes `region`'s prices when it may and should: not against an emulator (practice mode
/// has no Price List), and not when the last try is less than a day old. The outcome is
/// remembered for every estimate and saved in `cache`. Returns the Region's last refresh, if
/// there is one.
pub async fn refresh(
    clients: &AwsClients,
    cache: &PriceCache,
    region: &str,
    now: i64,
) -> Option<RegionRefresh> {
    if clients.is_practice() {
        return latest(region);
    }
    // One refresh at a time: the Launch form asks for several estimates at once, and the ones
    // waiting here then find the Region refreshed.
    let _one_at_a_time = REFRESHING.lock().await;
    if let Some(last) = latest(region).filter(|r| r.is_fresh(now)) {
        return Some(last);
    }
    let refreshed = tokio::time::timeout(READ_LIMIT, read_region(clients, region, now))
        .await
        .unwrap_or_else(|_| {
            RegionRefresh::fallback(region, now, FallbackReason::Failed).with_details(format!(
                "no answer from the Price List API within {} s",
                READ_LIMIT.as_secs()
            ))
        });
    remember(refreshed.clone());
    // A cache that cannot be written only means asking again after a restart.
    let _ = cache.save(&all());
    Some(refreshed)
}

#[cfg(test)]
mod tests;

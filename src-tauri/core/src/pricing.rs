//! What things cost, kept as dated data with its source so the UI can say how current it is.
//! Prices are on-demand USD and change rarely; update the figures and the date together.

pub mod live;

use crate::aws::regions;
use crate::fargate::Architecture;
use live::PriceFallback;
use serde::Serialize;
use std::sync::LazyLock;
use ts_rs::TS;

/// Where a set of prices comes from and when it was read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PriceSource {
    /// ISO date the bundled prices were read, e.g. `2026-11-01`.
    pub as_of: &'static str,
    pub url: &'static str,
    /// Set when the prices shown were read live from AWS's Price List API: when (seconds since
    /// the Unix epoch). `as_of` and `url` are then the bundled list's, which they replace.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub fetched_at: Option<i64>,
    /// Set when a live refresh was tried and not used: why the bundled prices are shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fallback: Option<PriceFallback>,
}

impl PriceSource {
    /// Bundled prices read on `as_of` from `url`.
    pub const fn bundled(as_of: &'static str, url: &'static str) -> Self {
        PriceSource {
            as_of,
            url,
            fetched_at: None,
            fallback: None,
        }
    }
}

/// Hours in an average month (365 × 24 / 12), as AWS's own calculator uses.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// ECR private repository storage, per GB-month (the same in every commercial region).
pub const ECR_STORAGE_PER_GB_MONTH: f64 = 0.10;

pub const ECR_PRICES: PriceSource =
    PriceSource::bundled("2026-11-01", "https://aws.amazon.com/ecr/pricing/");

const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// Monthly storage cost of `bytes` in ECR, in USD.
pub fn ecr_storage_monthly_usd(bytes: u64) -> f64 {
    bytes as f64 / BYTES_PER_GB * ECR_STORAGE_PER_GB_MONTH
}

/// Fargate on-demand prices of one region (Linux), from `data/regions.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct FargateRegionPrices {
    pub region: &'static str,
    pub x86_vcpu_hour: f64,
    pub x86_gb_hour: f64,
    pub arm_vcpu_hour: f64,
    pub arm_gb_hour: f64,
    /// Ephemeral storage above the free 20 GB, per GB-hour, where known. Berth keeps the default
    /// 20 GB, so it does not enter the estimate.
    pub ephemeral_gb_hour: Option<f64>,
    /// One public IPv4 address, per hour (each task with a public IP has one).
    pub public_ipv4_hour: f64,
    pub source: PriceSource,
}

impl FargateRegionPrices {
    /// Per vCPU-hour and per GB-hour of `architecture`.
    pub fn compute(&self, architecture: Architecture) -> (f64, f64) {
        match architecture {
            Architecture::X86_64 => (self.x86_vcpu_hour, self.x86_gb_hour),
            Architecture::Arm64 => (self.arm_vcpu_hour, self.arm_gb_hour),
        }
    }

    /// What one task of this size costs per hour, with its public IPv4 address when it has one:
    /// the one formula the Launch estimate, the plan and the Deployments view all use.
    pub fn task_hour(
        &self,
        architecture: Architecture,
        cpu: u32,
        memory: u32,
        public_ip: bool,
    ) -> f64 {
        let (vcpu_hour, gb_hour) = self.compute(architecture);
        // Fargate's "GB" is the task's memory in GiB (512 MiB is 0.5 GB).
        let compute = f64::from(cpu) / 1024.0 * vcpu_hour + f64::from(memory) / 1024.0 * gb_hour;
        compute
            + if public_ip {
                self.public_ipv4_hour
            } else {
                0.0
            }
    }
}

/// Fargate prices of every region whose figures the data has (see `docs/region-data.md`); a
/// region without them gets no estimate rather than a guess.
pub static FARGATE_REGION_PRICES: LazyLock<Vec<FargateRegionPrices>> = LazyLock::new(|| {
    regions::DATA
        .regions
        .iter()
        .filter_map(|r| {
            let f = r.fargate.as_ref()?;
            let source = regions::source(&f.source)?;
            Some(FargateRegionPrices {
                region: &r.code,
                x86_vcpu_hour: f.x86.vcpu_hour,
                x86_gb_hour: f.x86.gb_hour,
                arm_vcpu_hour: f.arm.vcpu_hour,
                arm_gb_hour: f.arm.gb_hour,
                ephemeral_gb_hour: f.ephemeral_gb_hour,
                public_ipv4_hour: r.public_ipv4_hour?,
                source: PriceSource::bundled(
                    source.published.as_deref().unwrap_or(&source.read),
                    &source.url,
                ),
            })
        })
        .collect()
});

/// Where Berth's Fargate prices come from, and as of when.
pub fn fargate_source() -> PriceSource {
    FARGATE_REGION_PRICES
        .first()
        .map(|p| p.source.clone())
        .unwrap_or(PriceSource::bundled(
            "",
            "https://aws.amazon.com/fargate/pricing/",
        ))
}

/// The Fargate prices of `region` Berth ships with, if it has them.
pub fn bundled_prices(region: &str) -> Option<&'static FargateRegionPrices> {
    FARGATE_REGION_PRICES.iter().find(|p| p.region == region)
}

/// The Fargate prices of `region`, if Berth has them: those read live from the Price List API
/// when the last refresh was used (`live`), else the bundled ones — whose source then says why
/// a refresh was not used, if one was tried.
pub fn fargate_prices(region: &str) -> Option<FargateRegionPrices> {
    let mut prices = bundled_prices(region)?.clone();
    if let Some(refresh) = live::latest(region) {
        match refresh.live {
            Some(rates) => {
                prices.x86_vcpu_hour = rates.x86_vcpu_hour;
                prices.x86_gb_hour = rates.x86_gb_hour;
                prices.arm_vcpu_hour = rates.arm_vcpu_hour;
                prices.arm_gb_hour = rates.arm_gb_hour;
                if let Some(ipv4) = rates.public_ipv4_hour {
                    prices.public_ipv4_hour = ipv4;
                }
                prices.source.fetched_at = Some(refresh.tried_at);
            }
            None => prices.source.fallback = refresh.fallback,
        }
    }
    Some(prices)
}

/// Where the Fargate prices of `region` come from (live or bundled, and why), or the bundled
/// list's source for a Region without prices.
pub fn fargate_source_in(region: &str) -> PriceSource {
    fargate_prices(region)
        .map(|p| p.source)
        .unwrap_or_else(fargate_source)
}

/// What running a launch costs, for the size, count, architecture and region chosen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CostEstimate {
    pub region: String,
    /// Compute (vCPU + memory) of all tasks, per hour.
    pub compute_per_hour: f64,
    /// Public IPv4 addresses of all tasks, per hour (0 without a public IP).
    pub public_ipv4_per_hour: f64,
    pub per_hour: f64,
    pub per_day: f64,
    /// Running all month (730 hours).
    pub per_month: f64,
    /// Price per vCPU-hour and per GB-hour used, for "how is this computed".
    pub vcpu_hour: f64,
    pub gb_hour: f64,
    pub ipv4_hour: f64,
    pub source: PriceSource,
    /// A service that scales itself: the figures above are for its minimum count, these for its
    /// maximum (`None` for a fixed count). What it costs lies between them.
    pub max_count: Option<u32>,
    pub max_per_hour: Option<f64>,
    pub max_per_month: Option<f64>,
    /// A stable HTTPS address (ECS Express Mode): the hourly price of the Application Load
    /// Balancer it runs behind, included in the totals above. `None` without one, and in a region
    /// Berth has no load balancer price for (then the totals leave it out, and say so).
    pub load_balancer_per_hour: Option<f64>,
    /// Whether the service has a load balancer at all (so "no price" can be told from "none").
    pub load_balancer: bool,
}

/// What one Application Load Balancer costs an hour, without its capacity units (LCU-hours, 0.008
/// USD each in us-east-1, which grow with traffic), by region: an Express service runs behind one
/// it may share with up to 24 other services; the estimate counts it whole, as the first service
/// pays for it alone (docs/aws-facts.md#express-mode).
pub const LOAD_BALANCER_HOUR_USD: &[(&str, f64)] = &[("us-east-1", 0.0225)];

/// The hourly load balancer price of `region`, if Berth has it.
pub fn load_balancer_hour(region: &str) -> Option<f64> {
    LOAD_BALANCER_HOUR_USD
        .iter()
        .find(|(r, _)| *r == region)
        .map(|(_, price)| *price)
}

impl CostEstimate {
    /// Adds the load balancer of an Express service to the totals.
    pub fn with_load_balancer(mut self) -> CostEstimate {
        self.load_balancer = true;
        self.load_balancer_per_hour = load_balancer_hour(&self.region);
        if let Some(hour) = self.load_balancer_per_hour {
            self.per_hour += hour;
            self.per_day = self.per_hour * 24.0;
            self.per_month = self.per_hour * HOURS_PER_MONTH;
            self.max_per_hour = self.max_per_hour.map(|h| h + hour);
            self.max_per_month = self.max_per_hour.map(|h| h * HOURS_PER_MONTH);
        }
        self
    }
}

/// What Berth needs to estimate a launch's cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostInput<'a> {
    pub region: &'a str,
    pub architecture: Architecture,
    /// CPU units (1024 = 1 vCPU).
    pub cpu: u32,
    /// MiB.
    pub memory: u32,
    pub count: u32,
    pub public_ip: bool,
    /// A service that scales between `count` and this many tasks.
    pub max_count: Option<u32>,
}

/// The cost of running `input.count` tasks, or `None` when Berth has no prices for the region.
/// Fargate bills per second (one minute minimum) from the start of the image pull; an hour here
/// is an hour of running.
pub fn fargate_estimate(input: &CostInput<'_>) -> Option<CostEstimate> {
    let prices = fargate_prices(input.region)?;
    // The same hourly price of one task, times the most tasks a scaling service may run.
    let max_per_hour = input.max_count.map(|max| {
        prices.task_hour(input.architecture, input.cpu, input.memory, input.public_ip)
            * f64::from(max)
    });
    let (vcpu_hour, gb_hour) = prices.compute(input.architecture);
    let count = f64::from(input.count);
    let compute_per_hour =
        prices.task_hour(input.architecture, input.cpu, input.memory, false) * count;
    let public_ipv4_per_hour = if input.public_ip {
        prices.public_ipv4_hour * count
    } else {
        0.0
    };
    let per_hour = compute_per_hour + public_ipv4_per_hour;
    Some(CostEstimate {
        region: input.region.to_owned(),
        compute_per_hour,
        public_ipv4_per_hour,
        per_hour,
        per_day: per_hour * 24.0,
        per_month: per_hour * HOURS_PER_MONTH,
        vcpu_hour,
        gb_hour,
        ipv4_hour: prices.public_ipv4_hour,
        source: prices.source.clone(),
        max_count: input.max_count,
        max_per_hour,
        max_per_month: max_per_hour.map(|h| h * HOURS_PER_MONTH),
        load_balancer_per_hour: None,
        load_balancer: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_storage_is_ten_cents_per_gigabyte_month() {
        assert_eq!(ecr_storage_monthly_usd(0), 0.0);
        assert!((ecr_storage_monthly_usd(5 * 1_073_741_824) - 0.5).abs() < 1e-9);
        // 212 MB (a typical small image) is about 2 cents.
        let small = ecr_storage_monthly_usd(212 * 1024 * 1024);
        assert!((small - 0.0207).abs() < 0.0001, "{small}");
    }

    fn estimate(region: &str, architecture: Architecture, public_ip: bool) -> CostEstimate {
        fargate_estimate(&CostInput {
            region,
            architecture,
            cpu: 256,
            memory: 512,
            count: 1,
            public_ip,
            max_count: None,
        })
        .unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.005
    }

    #[test]
    fn the_smallest_task_costs_what_aws_publishes_in_virginia() {
        // 0.25 × 0.04048 + 0.5 × 0.004445 = 0.0123425 USD/hour; × 730 = 9.01 USD/month.
        let e = estimate("us-east-1", Architecture::X86_64, false);
        assert!((e.per_hour - 0.0123425).abs() < 1e-9, "{}", e.per_hour);
        assert!(close(e.per_day, 0.29622), "{}", e.per_day);
        assert!(close(e.per_month, 9.01), "{}", e.per_month);
        // A public IPv4 address adds 0.005 × 730 = 3.65 USD/month.
        let e = estimate("us-east-1", Architecture::X86_64, true);
        assert!(close(e.public_ipv4_per_hour * HOURS_PER_MONTH, 3.65));
        assert!(close(e.per_month, 12.66), "{}", e.per_month);
        assert!(e.source.url.starts_with("https://"), "{}", e.source.url);
    }

    #[test]
    fn the_smallest_task_costs_what_aws_publishes_in_seoul() {
        // 0.25 × 0.04656 + 0.5 × 0.00511 = 0.014195 USD/hour; × 730 = 10.36 USD/month.
        let e = estimate("ap-northeast-2", Architecture::X86_64, false);
        assert!((e.per_hour - 0.014195).abs() < 1e-9, "{}", e.per_hour);
        assert!(close(e.per_month, 10.36), "{}", e.per_month);
        let e = estimate("ap-northeast-2", Architecture::X86_64, true);
        assert!(close(e.per_month, 14.01), "{}", e.per_month);
    }

    /// Every offered region has prices now, from AWS's own price feed (docs/region-data.md).
    #[test]
    fn every_offered_region_has_fargate_prices_and_arm_costs_less() {
        for region in regions::REGIONS {
            let p = fargate_prices(region).unwrap_or_else(|| panic!("{region} has no prices"));
            assert!(p.arm_vcpu_hour < p.x86_vcpu_hour, "{region}");
            assert_eq!(p.public_ipv4_hour, 0.005, "{region}");
        }
    }

    #[test]
    fn graviton_size_and_count_scale_the_estimate() {
        // ARM in Seoul, 1 vCPU / 2 GB, 3 tasks with public IPs:
        // (1 × 0.03725 + 2 × 0.00409) × 3 = 0.13629; + 3 × 0.005 = 0.15129 USD/hour.
        let e = fargate_estimate(&CostInput {
            region: "ap-northeast-2",
            architecture: Architecture::Arm64,
            cpu: 1024,
            memory: 2048,
            count: 3,
            public_ip: true,
            max_count: None,
        })
        .unwrap();
        assert!((e.compute_per_hour - 0.13629).abs() < 1e-9);
        assert!((e.per_hour - 0.15129).abs() < 1e-9);
        assert!(close(e.per_month, 110.44), "{}", e.per_month);
        // ARM in Virginia, 0.25 vCPU / 0.5 GB: 0.25 × 0.03238 + 0.5 × 0.00356 = 0.009875.
        let e = estimate("us-east-1", Architecture::Arm64, false);
        assert!((e.per_hour - 0.009875).abs() < 1e-9);
    }

    /// A service scaling from 1 to 3 smallest tasks in Virginia, with public IPs: 12.66 to
    /// 37.98 USD a month (3 × (0.0123425 + 0.005) × 730).
    #[test]
    fn a_scaling_service_costs_between_its_minimum_and_its_maximum() {
        let e = fargate_estimate(&CostInput {
            region: "us-east-1",
            architecture: Architecture::X86_64,
            cpu: 256,
            memory: 512,
            count: 1,
            public_ip: true,
            max_count: Some(3),
        })
        .unwrap();
        assert!(close(e.per_month, 12.66), "{}", e.per_month);
        assert_eq!(e.max_count, Some(3));
        assert!((e.max_per_hour.unwrap() - 3.0 * 0.0173425).abs() < 1e-9);
        assert!(
            close(e.max_per_month.unwrap(), 37.98),
            "{:?}",
            e.max_per_month
        );
        assert_eq!(
            estimate("us-east-1", Architecture::X86_64, true).max_per_month,
            None
        );
    }

    #[test]
    fn a_region_without_prices_gets_no_estimate_rather_than_a_guess() {
        let input = CostInput {
            region: "us-gov-west-1",
            architecture: Architecture::X86_64,
            cpu: 256,
            memory: 512,
            count: 1,
            public_ip: true,
            max_count: None,
        };
        assert_eq!(fargate_estimate(&input), None);
    }

    /// Issue 17: a stable HTTPS address adds its load balancer, about 16.43 USD a month in
    /// us-east-1 (0.0225 an hour × 730), to the estimate.
    #[test]
    fn an_express_service_adds_its_load_balancer() {
        let plain = estimate("us-east-1", Architecture::X86_64, true);
        let express = plain.clone().with_load_balancer();
        assert!(express.load_balancer);
        assert!(close(express.per_month - plain.per_month, 16.425));
        assert!(close(express.per_hour - plain.per_hour, 0.0225));
        // No price known: said so, and not guessed.
        let elsewhere = estimate("ap-northeast-2", Architecture::X86_64, true).with_load_balancer();
        assert!(elsewhere.load_balancer && elsewhere.load_balancer_per_hour.is_none());
    }
}

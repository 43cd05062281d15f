//! What running tasks cost, per hour and per month, with the Launch estimate's prices and formula
//! (`pricing`): Fargate bills vCPU-hours and GB-hours by region and architecture, plus a public
//! IPv4 address per hour.

use crate::fargate::Architecture;
use crate::pricing::{self, HOURS_PER_MONTH};
use serde::Serialize;
use ts_rs::TS;

/// Cost of something that runs, in USD.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunningCost {
    pub hourly_usd: f64,
    pub monthly_usd: f64,
    /// False when a price was unknown for some task (region without prices, EC2 launch type):
    /// the figures then cover only the tasks Berth could price.
    pub complete: bool,
}

impl RunningCost {
    pub fn zero() -> Self {
        RunningCost {
            hourly_usd: 0.0,
            monthly_usd: 0.0,
            complete: true,
        }
    }

    fn hourly(hourly_usd: f64) -> Self {
        RunningCost {
            hourly_usd,
            monthly_usd: hourly_usd * HOURS_PER_MONTH,
            complete: true,
        }
    }

    fn unknown() -> Self {
        RunningCost {
            complete: false,
            ..RunningCost::zero()
        }
    }
}

impl std::ops::Add for RunningCost {
    type Output = RunningCost;

    fn add(self, other: RunningCost) -> RunningCost {
        RunningCost {
            hourly_usd: self.hourly_usd + other.hourly_usd,
            monthly_usd: self.monthly_usd + other.monthly_usd,
            complete: self.complete && other.complete,
        }
    }
}

impl std::iter::Sum for RunningCost {
    fn sum<I: Iterator<Item = RunningCost>>(costs: I) -> RunningCost {
        costs.fold(RunningCost::zero(), |a, b| a + b)
    }
}

/// The Application Load Balancer an Express service runs behind, counted whole as the Launch
/// estimate counts it (docs/aws-facts.md#express-mode); unknown in a region without its price.
pub fn load_balancer_cost(region: &str) -> RunningCost {
    pricing::load_balancer_hour(region).map_or_else(RunningCost::unknown, RunningCost::hourly)
}

/// What one task costs per hour in `region`, by its architecture (`X86_64` or `ARM64`, as ECS
/// writes it), size and public address: the Launch estimate's own formula
/// (`pricing::FargateRegionPrices::task_hour`). Unknown when Berth has no prices for the region or the
/// task's size is not known.
pub fn task_cost(
    region: &str,
    architecture: &str,
    cpu_units: Option<u32>,
    memory_mib: Option<u32>,
    public_ip: bool,
) -> RunningCost {
    let (Some(prices), Some(cpu), Some(memory)) =
        (pricing::fargate_prices(region), cpu_units, memory_mib)
    else {
        return RunningCost::unknown();
    };
    let architecture = if architecture.eq_ignore_ascii_case("ARM64") {
        Architecture::Arm64
    } else {
        Architecture::X86_64
    };
    RunningCost::hourly(prices.task_hour(architecture, cpu, memory, public_ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_task_costs_what_facts_md_says() {
        // 0.25 vCPU / 0.5 GB, 24×7: about 9.0 USD a month in us-east-1, 10.4 in Seoul.
        let virginia = task_cost("us-east-1", "X86_64", Some(256), Some(512), false);
        assert!((virginia.monthly_usd - 9.01).abs() < 0.05, "{virginia:?}");
        let seoul = task_cost("ap-northeast-2", "X86_64", Some(256), Some(512), false);
        assert!((seoul.monthly_usd - 10.36).abs() < 0.05, "{seoul:?}");
        // A public IPv4 address adds about 3.65 a month.
        let with_ip = task_cost("us-east-1", "X86_64", Some(256), Some(512), true);
        assert!((with_ip.monthly_usd - virginia.monthly_usd - 3.65).abs() < 0.001);
        assert!(virginia.complete);
    }

    #[test]
    fn an_express_service_load_balancer_is_priced_where_berth_knows_its_price() {
        let lb = load_balancer_cost("us-east-1");
        assert!(lb.complete);
        assert!((lb.hourly_usd - 0.0225).abs() < 1e-9);
        assert!((lb.monthly_usd - 16.425).abs() < 1e-6);
        assert!(!load_balancer_cost("ap-northeast-2").complete);
    }

    #[test]
    fn graviton_is_cheaper_and_unknown_regions_say_so() {
        let x86 = task_cost("us-east-1", "X86_64", Some(1024), Some(2048), false);
        let arm = task_cost("us-east-1", "arm64", Some(1024), Some(2048), false);
        assert!(arm.hourly_usd < x86.hourly_usd);
        let unknown = task_cost("us-gov-west-1", "X86_64", Some(256), Some(512), false);
        assert!(!unknown.complete);
        assert_eq!(unknown.hourly_usd, 0.0);
        assert!(!(x86 + unknown).complete);
    }
}

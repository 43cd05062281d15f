//! What things cost, kept as dated data with its source so the UI can say how current it is.
//! Prices are on-demand USD and change rarely; update the figures and the date together.

use serde::Serialize;
use ts_rs::TS;

/// Where a set of prices comes from and when it was read.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PriceSource {
    /// ISO date the prices were read, e.g. `2026-11-01`.
    pub as_of: &'static str,
    pub url: &'static str,
}

/// Hours in an average month (365 × 24 / 12), as AWS's own calculator uses.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// ECR private repository storage, per GB-month (the same in every commercial region).
pub const ECR_STORAGE_PER_GB_MONTH: f64 = 0.10;

pub const ECR_PRICES: PriceSource = PriceSource {
    as_of: "2026-11-01",
    url: "https://aws.amazon.com/ecr/pricing/",
};

const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// Monthly storage cost of `bytes` in ECR, in USD.
pub fn ecr_storage_monthly_usd(bytes: u64) -> f64 {
    bytes as f64 / BYTES_PER_GB * ECR_STORAGE_PER_GB_MONTH
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
}

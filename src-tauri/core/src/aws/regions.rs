//! The AWS regions Berth offers. Their display names live in the UI's catalogs (English and
//! Korean), keyed by code.

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
    fn every_listed_region_has_the_aws_shape() {
        assert!(REGIONS.iter().all(|r| looks_like_region(r)));
        assert!(looks_like_region("us-gov-west-1"));
        for bad in ["", "useast1", "us-east", "US-EAST-1", "us-east-1a", "us--1"] {
            assert!(!looks_like_region(bad), "{bad}");
        }
    }
}

//! ECR lifecycle policies, the way Berth offers them: "keep the last N images" and "expire
//! untagged images after N days", on by default so pushed images do not pile up (and cost)
//! forever. Also reads any existing policy back into that shape, counting rules it does not know.

use crate::error::{BerthError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// The two rules Berth writes; `None` leaves a rule out. Both `None` means no policy at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleRule {
    /// Expire the oldest images beyond this many (tagged or not).
    pub keep_last: Option<u32>,
    /// Expire untagged images this many days after their push.
    pub untagged_days: Option<u32>,
}

pub const KEEP_LAST_RANGE: (u32, u32) = (1, 10_000);
pub const UNTAGGED_DAYS_RANGE: (u32, u32) = (1, 3650);

/// Checks both numbers before anything is sent: ECR needs whole numbers of at least 1.
pub fn validate(rule: &LifecycleRule) -> Result<()> {
    for (field, value, (min, max)) in [
        ("keepLast", rule.keep_last, KEEP_LAST_RANGE),
        ("untaggedDays", rule.untagged_days, UNTAGGED_DAYS_RANGE),
    ] {
        if let Some(v) = value {
            if !(min..=max).contains(&v) {
                return Err(BerthError::invalid(field, "range")
                    .with("min", min.to_string())
                    .with("max", max.to_string()));
            }
        }
    }
    Ok(())
}

/// The policy JSON for `rule`, or `None` when both parts are off. ECR evaluates a rule with
/// `tagStatus: any` last, so it must have the highest priority number.
pub fn policy_text(rule: &LifecycleRule) -> Option<String> {
    let mut rules = Vec::new();
    if let Some(days) = rule.untagged_days {
        rules.push(json!({
            "rulePriority": 1,
            "description": format!("Berth: expire untagged images after {days} days"),
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": days
            },
            "action": { "type": "expire" }
        }));
    }
    if let Some(count) = rule.keep_last {
        rules.push(json!({
            "rulePriority": 2,
            "description": format!("Berth: keep the last {count} images"),
            "selection": {
                "tagStatus": "any",
                "countType": "imageCountMoreThan",
                "countNumber": count
            },
            "action": { "type": "expire" }
        }));
    }
    (!rules.is_empty()).then(|| json!({ "rules": rules }).to_string())
}

/// An existing policy as Berth understands it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LifecycleSummary {
    pub keep_last: Option<u32>,
    pub untagged_days: Option<u32>,
    /// Rules of other shapes (written by hand or another tool); the raw text shows them.
    pub other_rules: u32,
    /// The policy as ECR returned it.
    pub text: String,
}

/// Reads a policy into the two rules Berth knows, whoever wrote it.
pub fn summarize(text: &str) -> LifecycleSummary {
    let mut summary = LifecycleSummary {
        keep_last: None,
        untagged_days: None,
        other_rules: 0,
        text: text.to_owned(),
    };
    let rules = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("rules").and_then(Value::as_array).cloned())
        .unwrap_or_default();
    for rule in &rules {
        let sel = &rule["selection"];
        let number = sel["countNumber"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok());
        let expires = rule["action"]["type"] == "expire";
        match (sel["tagStatus"].as_str(), sel["countType"].as_str()) {
            (Some("any"), Some("imageCountMoreThan")) if expires && summary.keep_last.is_none() => {
                summary.keep_last = number;
            }
            (Some("untagged"), Some("sinceImagePushed"))
                if expires
                    && summary.untagged_days.is_none()
                    && sel["countUnit"].as_str().unwrap_or("days") == "days" =>
            {
                summary.untagged_days = number;
            }
            _ => summary.other_rules += 1,
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    // What the Repository step offers by default (ui/src/screens/repository/defaults.ts).
    const DEFAULT_RULE: LifecycleRule = LifecycleRule {
        keep_last: Some(10),
        untagged_days: Some(7),
    };

    #[test]
    fn the_default_policy_reads_back_as_the_same_rule() {
        let text = policy_text(&DEFAULT_RULE).unwrap();
        let summary = summarize(&text);
        assert_eq!(summary.keep_last, Some(10));
        assert_eq!(summary.untagged_days, Some(7));
        assert_eq!(summary.other_rules, 0);
        // The `any` rule must come last for ECR to accept the policy.
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["rules"][0]["selection"]["tagStatus"], "untagged");
        assert_eq!(json["rules"][1]["rulePriority"], 2);
    }

    #[test]
    fn no_rule_means_no_policy_and_out_of_range_numbers_are_refused() {
        assert_eq!(policy_text(&LifecycleRule::default()), None);
        let err = validate(&LifecycleRule {
            keep_last: Some(0),
            untagged_days: None,
        })
        .unwrap_err();
        assert_eq!(err.param("field"), Some("keepLast"));
        assert_eq!(err.param("rule"), Some("range"));
        assert_eq!(
            validate(&LifecycleRule {
                keep_last: None,
                untagged_days: Some(3651)
            })
            .unwrap_err()
            .param("field"),
            Some("untaggedDays")
        );
        assert!(validate(&DEFAULT_RULE).is_ok());
    }

    #[test]
    fn rules_of_other_shapes_are_counted_not_lost() {
        let text = r#"{"rules":[
            {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["v"],"countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}},
            {"rulePriority":5,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}
        ]}"#;
        let summary = summarize(text);
        assert_eq!(summary.keep_last, Some(50));
        assert_eq!(summary.untagged_days, None);
        assert_eq!(summary.other_rules, 1);
        assert_eq!(summarize("not json").other_rules, 0);
    }
}

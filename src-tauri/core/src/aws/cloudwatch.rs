//! CloudWatch metrics, read side: a service's CPU and memory utilisation (ECS publishes both in
//! the `AWS/ECS` namespace per cluster and service, as a percentage of what the tasks reserved).

use super::catalogue::cloudwatch;
use super::AwsClients;
use crate::error::Result;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_types::DateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// How far back the chart looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum MetricRange {
    Hour,
    Day,
}

impl MetricRange {
    pub fn span_secs(self) -> i64 {
        match self {
            MetricRange::Hour => 3600,
            MetricRange::Day => 86_400,
        }
    }

    /// One point per minute for an hour, per five minutes for a day (ECS publishes every minute).
    pub fn period_secs(self) -> i32 {
        match self {
            MetricRange::Hour => 60,
            MetricRange::Day => 300,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MetricPoint {
    /// Seconds since the Unix epoch (what the chart's time axis takes).
    #[ts(type = "number")]
    pub at: i64,
    /// Percent (0–100; more than 100 when a task uses burst capacity).
    pub value: f64,
}

/// A service's utilisation over a range, oldest point first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMetrics {
    pub range: MetricRange,
    #[ts(type = "number")]
    pub start: i64,
    #[ts(type = "number")]
    pub end: i64,
    pub period_secs: i32,
    pub cpu: Vec<MetricPoint>,
    pub memory: Vec<MetricPoint>,
}

/// The average CPU and memory utilisation of `service` in `cluster` over `range`, ending `now`
/// (seconds since the epoch).
pub async fn service_utilisation(
    clients: &AwsClients,
    cluster: &str,
    service: &str,
    range: MetricRange,
    now: i64,
) -> Result<ServiceMetrics> {
    let period = range.period_secs();
    // Align to the period so consecutive refreshes ask for the same buckets.
    let end = (now / period as i64 + 1) * period as i64;
    let start = end - range.span_secs();
    let query = |id: &str, metric: &str| {
        MetricDataQuery::builder()
            .id(id)
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .namespace("AWS/ECS")
                            .metric_name(metric)
                            .dimensions(
                                Dimension::builder()
                                    .name("ClusterName")
                                    .value(cluster)
                                    .build(),
                            )
                            .dimensions(
                                Dimension::builder()
                                    .name("ServiceName")
                                    .value(service)
                                    .build(),
                            )
                            .build(),
                    )
                    .period(period)
                    .stat("Average")
                    .build(),
            )
            .return_data(true)
            .build()
    };
    let request = clients
        .cloudwatch()
        .get_metric_data()
        .metric_data_queries(query("cpu", "CPUUtilization"))
        .metric_data_queries(query("memory", "MemoryUtilization"))
        .start_time(DateTime::from_secs(start))
        .end_time(DateTime::from_secs(end))
        .scan_by(ScanBy::TimestampAscending)
        .into_paginator()
        .send()
        .try_collect();
    let pages = clients
        .call(&cloudwatch::GET_METRIC_DATA, format!("{cluster}/{service}"))
        .opt("--start-time", start.to_string())
        .opt("--end-time", end.to_string())
        .opt("--metric-data-queries", "file://queries.json")
        .send(request, Ok)
        .await?;
    let mut series: BTreeMap<String, Vec<MetricPoint>> = BTreeMap::new();
    for result in pages.iter().flat_map(|page| page.metric_data_results()) {
        let points = series
            .entry(result.id().unwrap_or_default().to_owned())
            .or_default();
        points.extend(
            result
                .timestamps()
                .iter()
                .zip(result.values())
                .map(|(at, value)| MetricPoint {
                    at: at.secs(),
                    value: *value,
                }),
        );
    }
    let mut take = |id: &str| {
        let mut points = series.remove(id).unwrap_or_default();
        points.sort_by_key(|p| p.at);
        points.dedup_by_key(|p| p.at);
        points
    };
    Ok(ServiceMetrics {
        range,
        start,
        end,
        period_secs: period,
        cpu: take("cpu"),
        memory: take("memory"),
    })
}

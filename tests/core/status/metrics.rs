//! The CPU and memory chart's data: metric data put into moto's CloudWatch (as ECS would publish
//! it) comes back per minute for the last hour, and a service without data says so (no points).

use crate::support::sdk;
use crate::support::status as status_support;

use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime;
use berth_core::aws::cloudwatch::{service_utilisation, MetricRange};
use status_support::*;

async fn put(
    clients: &berth_core::aws::AwsClients,
    cluster: &str,
    service: &str,
    metric: &str,
    at: i64,
    value: f64,
) {
    sdk::cloudwatch(clients)
        .put_metric_data()
        .namespace("AWS/ECS")
        .metric_data(
            MetricDatum::builder()
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
                .timestamp(DateTime::from_secs(at))
                .value(value)
                .unit(StandardUnit::Percent)
                .build(),
        )
        .send()
        .await
        .expect("PutMetricData");
}

#[tokio::test]
async fn utilisation_put_into_cloudwatch_is_read_back_per_minute_oldest_first() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let minute = |ago: i64| (now / 60 - ago) * 60;
    // Ten minutes of data, CPU climbing, memory flat; plus a point from two hours ago.
    for ago in 1..=10 {
        put(
            &clients,
            "web",
            "shop",
            "CPUUtilization",
            minute(ago),
            (11 - ago) as f64 * 5.0,
        )
        .await;
        put(
            &clients,
            "web",
            "shop",
            "MemoryUtilization",
            minute(ago),
            40.0,
        )
        .await;
    }
    put(&clients, "web", "shop", "CPUUtilization", minute(120), 99.0).await;
    // Another service in the same cluster must not leak into this one's chart.
    put(&clients, "web", "other", "CPUUtilization", minute(3), 77.0).await;

    let hour = service_utilisation(&clients, "web", "shop", MetricRange::Hour, now)
        .await
        .unwrap();
    assert_eq!(hour.period_secs, 60);
    assert_eq!(hour.end - hour.start, 3600);
    let cpu: Vec<(i64, f64)> = hour.cpu.iter().map(|p| (p.at, p.value)).collect();
    let expected: Vec<(i64, f64)> = (1..=10)
        .rev()
        .map(|ago| (minute(ago), (11 - ago) as f64 * 5.0))
        .collect();
    assert_eq!(
        cpu, expected,
        "one point a minute, oldest first, the old point left out"
    );
    assert_eq!(hour.memory.len(), 10);
    assert!(hour.memory.iter().all(|p| p.value == 40.0));

    // Over a day the two-hour-old point is in.
    let day = service_utilisation(&clients, "web", "shop", MetricRange::Day, now)
        .await
        .unwrap();
    assert_eq!(day.period_secs, 300);
    assert!(day.cpu.iter().any(|p| p.value == 99.0), "{:?}", day.cpu);
}

#[tokio::test]
async fn a_service_without_data_gets_empty_series_not_an_error() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let metrics = service_utilisation(&clients, "web", "quiet", MetricRange::Hour, 1_800_000_000)
        .await
        .unwrap();
    assert!(metrics.cpu.is_empty());
    assert!(metrics.memory.is_empty());
}

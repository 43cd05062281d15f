//! Following a task's CloudWatch log stream: the newest page first, "load earlier" until the
//! start, new lines as they come, and search — against moto's CloudWatch Logs.

use crate::support::sdk;
use crate::support::status as status_support;

use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use berth_core::aws::logs::{read, LogRequest, PAGE_LINES};
use berth_core::dashboard::deployments::{task_log_streams, StatusCache};
use berth_core::ErrorKind;
use status_support::*;

async fn put_lines(
    clients: &berth_core::aws::AwsClients,
    group: &str,
    stream: &str,
    from: usize,
    to: usize,
    t0: i64,
) {
    // PutLogEvents takes at most 10,000 events; these batches stay far below.
    let events: Vec<InputLogEvent> = (from..to)
        .map(|i| {
            let text = if i % 50 == 7 {
                format!("line {i} ERROR payment failed")
            } else {
                format!("line {i} ok")
            };
            InputLogEvent::builder()
                .timestamp(t0 + i as i64)
                .message(text)
                .build()
                .unwrap()
        })
        .collect();
    sdk::logs(clients)
        .put_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .set_log_events(Some(events))
        .send()
        .await
        .expect("PutLogEvents");
}

fn numbers(page: &berth_core::aws::logs::LogPage) -> Vec<usize> {
    page.lines
        .iter()
        .map(|l| {
            l.message
                .split_whitespace()
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn the_newest_lines_come_first_then_earlier_pages_then_new_lines_as_they_arrive() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let group = "/berth/shop";
    sdk::logs(&clients)
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();

    // The stream a task's container writes to, found from its task definition.
    let definition = register_definition(&clients, "shop", group).await;
    let streams = task_log_streams(&clients, &StatusCache::default(), &definition, "0f1e2d3c")
        .await
        .unwrap();
    assert_eq!(streams.len(), 1);
    assert_eq!(streams[0].group, group);
    assert_eq!(streams[0].stream, "ecs/app/0f1e2d3c");
    assert_eq!(streams[0].container, "app");
    let stream = streams[0].stream.clone();
    sdk::logs(&clients)
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(&stream)
        .send()
        .await
        .unwrap();
    // CloudWatch refuses events older than 14 days: start an hour ago.
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3_600_000;
    put_lines(&clients, group, &stream, 0, 450, t0).await;

    let request = |token: Option<String>, search: Option<&str>| LogRequest {
        group: group.into(),
        stream: stream.clone(),
        token,
        search: search.map(str::to_owned),
    };
    let newest = read(&clients, &request(None, None)).await.unwrap();
    let per_page = PAGE_LINES as usize;
    assert_eq!(
        numbers(&newest),
        (450 - per_page..450).collect::<Vec<_>>(),
        "the newest page, oldest line first"
    );
    assert_eq!(newest.lines[0].at, t0 as u64 + 250);

    let earlier = read(&clients, &request(newest.earlier.clone(), None))
        .await
        .unwrap();
    assert_eq!(numbers(&earlier), (50..250).collect::<Vec<_>>());
    let start = read(&clients, &request(earlier.earlier.clone(), None))
        .await
        .unwrap();
    assert_eq!(numbers(&start), (0..50).collect::<Vec<_>>());
    let before_start = read(&clients, &request(start.earlier.clone(), None))
        .await
        .unwrap();
    assert!(
        before_start.lines.is_empty(),
        "nothing before the first line"
    );

    // Following: nothing new yet, then exactly the lines written since.
    let idle = read(&clients, &request(newest.later.clone(), None))
        .await
        .unwrap();
    assert!(idle.lines.is_empty(), "{:?}", numbers(&idle));
    put_lines(&clients, group, &stream, 450, 455, t0).await;
    let fresh = read(&clients, &request(idle.later.clone(), None))
        .await
        .unwrap();
    assert_eq!(numbers(&fresh), vec![450, 451, 452, 453, 454]);

    // Search finds the matching lines of the whole stream.
    let found = read(&clients, &request(None, Some("ERROR payment")))
        .await
        .unwrap();
    assert_eq!(
        numbers(&found),
        vec![7, 57, 107, 157, 207, 257, 307, 357, 407]
    );
    let none = read(&clients, &request(None, Some("no such text")))
        .await
        .unwrap();
    assert!(none.lines.is_empty());
}

#[tokio::test]
async fn a_stream_that_does_not_exist_is_named_in_the_error() {
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let err = read(
        &clients,
        &LogRequest {
            group: "/berth/none".into(),
            stream: "ecs/app/x".into(),
            token: None,
            search: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "{err}");
    assert_eq!(err.param("name"), Some("/berth/none/ecs/app/x"));
}

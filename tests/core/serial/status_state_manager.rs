//! A task that moto's state manager walks to STOPPED (RUNNING → DEACTIVATING → STOPPING →
//! DEPROVISIONING → STOPPED, one step per DescribeTasks) is announced exactly once, when it
//! reaches STOPPED, and never again on later refreshes. moto's state manager is global to the
//! server.

use crate::support::status as status_support;

use crate::support::set_task_transition;
use berth_core::dashboard::deployments::{take_snapshot, StatusCache, StatusEvent, StatusWatch};
use status_support::*;

#[tokio::test]
async fn a_task_walked_to_stopped_by_the_state_manager_is_announced_once() {
    hold_tasks_running();
    let moto = stack_var("BERTH_TEST_MOTO_URL");
    let clients = clients_at(&moto, isolated_account().await).await;
    let net = network(&clients).await;
    let cluster = create_cluster(&clients, "jobs").await;
    let definition = register_definition(&clients, "nightly", "nightly:v1", "/berth/nightly").await;
    let task = run_tasks(&clients, &cluster, &definition, None, 1, &net)
        .await
        .remove(0);
    let task_id = task.rsplit('/').next().unwrap().to_owned();

    let cache = StatusCache::default();
    let mut watch = StatusWatch::default();
    let baseline = take_snapshot(&clients, &cache, &watch.followed())
        .await
        .unwrap();
    assert!(watch.observe(baseline).is_empty());
    assert_eq!(
        watch.latest().unwrap().clusters[0].tasks[0].last_status,
        "RUNNING"
    );

    // From now on each DescribeTasks moves the task one state on.
    set_task_transition(1);
    let mut seen = Vec::new();
    let mut stopped_events = Vec::new();
    for _ in 0..8 {
        let snapshot = take_snapshot(&clients, &cache, &watch.followed())
            .await
            .unwrap();
        let events = watch.observe(snapshot);
        let latest = watch.latest().unwrap();
        let state = latest.clusters[0]
            .tasks
            .iter()
            .chain(latest.recently_stopped.iter())
            .find(|t| t.id == task_id)
            .map(|t| t.last_status.clone())
            .unwrap();
        seen.push(state);
        stopped_events.extend(events);
    }
    hold_tasks_running();

    assert_eq!(
        seen[..4],
        ["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"],
        "{seen:?}"
    );
    assert!(seen[4..].iter().all(|s| s == "STOPPED"));
    assert_eq!(
        stopped_events,
        [StatusEvent::TaskStopped {
            cluster: "jobs".into(),
            service: None,
            task_id,
            // moto's state manager gives no reason; the notification then says "No reason given".
            reason: String::new(),
            exit_code: None,
        }],
        "exactly one event, when the task reached STOPPED"
    );
}

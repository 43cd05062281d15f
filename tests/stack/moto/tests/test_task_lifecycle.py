"""Tasks move through their states with time (rule ecs.task.lifecycle, ecs.stop-task.unknown)."""

import time

from helpers import code, describe_task, error_of, fargate_definition, name, network, wait_task


def _run(account, command=("sleep", "60")):
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName="c")
    family = name("web")
    fargate_definition(ecs, family, command=list(command), port=None)
    task = ecs.run_task(
        cluster="c", taskDefinition=family, launchType="FARGATE", networkConfiguration=network(account)
    )["tasks"][0]
    return ecs, task


def test_run_task_goes_through_the_states(ecs_account):
    ecs, task = _run(ecs_account)
    assert (task["lastStatus"], task["desiredStatus"]) == ("PROVISIONING", "RUNNING")
    # Describing often does not move it on (moto moved a task one state per DescribeTasks).
    for _ in range(3):
        assert describe_task(ecs, "c", task["taskArn"])["lastStatus"] in ("PROVISIONING", "PENDING")
    seen = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        current = describe_task(ecs, "c", task["taskArn"])
        seen.add(current["lastStatus"])
        if current["lastStatus"] == "RUNNING":
            break
        time.sleep(0.05)
    assert {"PENDING", "RUNNING"} <= seen
    assert current["startedAt"] >= current["createdAt"]
    assert current["containers"][0]["lastStatus"] == "RUNNING"
    assert "exitCode" not in current["containers"][0]
    ecs.stop_task(cluster="c", task=task["taskArn"])


def test_stop_task_goes_through_stopping(ecs_account):
    ecs, task = _run(ecs_account)
    wait_task(ecs, "c", task["taskArn"], "RUNNING")
    answer = ecs.stop_task(cluster="c", task=task["taskArn"], reason="teardown by Berth")["task"]
    assert (answer["lastStatus"], answer["desiredStatus"]) == ("RUNNING", "STOPPED")
    stopped = wait_task(ecs, "c", task["taskArn"], "STOPPED")
    assert stopped["stoppedReason"] == "teardown by Berth"
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["containers"][0]["lastStatus"] == "STOPPED"
    assert stopped["stoppedAt"] >= stopped["stoppingAt"]


def test_list_tasks_default_desired_status(ecs_account):
    ecs, task = _run(ecs_account)
    assert ecs.list_tasks(cluster="c")["taskArns"] == [task["taskArn"]]
    ecs.stop_task(cluster="c", task=task["taskArn"])
    assert ecs.list_tasks(cluster="c")["taskArns"] == []  # "The default status filter is RUNNING"
    assert ecs.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"] == [task["taskArn"]]


def test_stop_unknown_task(ecs_account):
    ecs = ecs_account.client("ecs")
    ecs.create_cluster(clusterName="c")
    error = error_of(lambda: ecs.stop_task(cluster="c", task="0123456789abcdef0123456789abcdef"))
    assert code(error) == "InvalidParameterException"


def test_describe_tasks_of_another_cluster_is_missing(ecs_account):
    ecs, task = _run(ecs_account)
    ecs.create_cluster(clusterName="other")
    arn = task["taskArn"]
    answer = ecs.describe_tasks(cluster="other", tasks=[arn, arn.rsplit("/", 1)[-1][:8]])
    assert answer["tasks"] == []
    assert [f["reason"] for f in answer["failures"]] == ["MISSING", "MISSING"]
    both = ecs.describe_tasks(cluster="c", tasks=[arn, "0" * 32])
    assert [t["taskArn"] for t in both["tasks"]] == [arn]
    assert [f["reason"] for f in both["failures"]] == ["MISSING"]
    ecs.stop_task(cluster="c", task=arn)

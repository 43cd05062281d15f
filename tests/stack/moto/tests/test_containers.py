"""Tasks really run (rules ecs.task.containers-run, ecs.task.cannot-pull, ecs.task.no-route-to-ecr,
ecs.task.log-group-must-exist)."""

import pytest
from helpers import (
    HTTPD,
    ecr_image,
    execution_role,
    fargate_definition,
    http_get,
    name,
    network,
    public_ip,
    push,
    wait_for,
    wait_task,
)

PROPAGATION = 1.6


@pytest.fixture
def cluster(ecs_account):
    ecs_account.client("ecs").create_cluster(clusterName="c")
    return "c"


def _run(account, family, public=True):
    ecs = account.client("ecs")
    return ecs.run_task(
        cluster="c",
        taskDefinition=family,
        launchType="FARGATE",
        networkConfiguration=network(account, public_ip=public),
    )["tasks"][0]["taskArn"]


def test_service_task_serves_http_on_its_public_ip(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    image = ecr_image(ecs_account, engine, registry)
    family = name("web")
    fargate_definition(
        ecs, family, image=image, command=HTTPD, environment={"GREETING": "hello from Fargate"}
    )
    ecs.create_service(
        cluster="c",
        serviceName="web",
        taskDefinition=family,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )
    wait_for(
        "running",
        lambda: ecs.describe_services(cluster="c", services=["web"])["services"][0]["runningCount"] == 1,
        40,
    )
    task = ecs.describe_tasks(cluster="c", tasks=ecs.list_tasks(cluster="c", serviceName="web")["taskArns"])[
        "tasks"
    ][0]
    address = public_ip(ecs_account, task)
    assert address and address.startswith("127.")
    assert (
        wait_for("the page", lambda: _get(f"http://{address}:8080/index.html"), 10) == "hello from Fargate\n"
    )
    container = task["containers"][0]
    assert container["image"] == image
    assert container["imageDigest"].startswith("sha256:")
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert container["networkInterfaces"][0]["privateIpv4Address"] == details["privateIPv4Address"]
    ecs.delete_service(cluster="c", service="web", force=True)
    wait_for("the address to close", lambda: _get(f"http://{address}:8080/index.html") is None, 20)


def _get(url):
    try:
        return http_get(url, timeout=1)
    except OSError:
        return None


def test_crash_stops_task_with_exit_code_and_logs(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    logs = ecs_account.client("logs")
    group = f"/berth/{name('crash')}"
    logs.create_log_group(logGroupName=group)
    role = execution_role(ecs_account)
    image = ecr_image(ecs_account, engine, registry)
    import time

    time.sleep(PROPAGATION)
    family = name("crash")
    fargate_definition(
        ecs,
        family,
        image=image,
        command=["sh", "-c", "echo starting up; echo config missing >&2; exit 7"],
        port=None,
        log_group=group,
        execution_role=role,
    )
    arn = _run(ecs_account, family)
    task = wait_task(ecs, "c", arn, "STOPPED")
    assert task["stoppedReason"] == "Essential container in task exited"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == 7
    stream = f"ecs/app/{arn.rsplit('/', 1)[-1]}"
    events = wait_for(
        "the log lines", lambda: logs.get_log_events(logGroupName=group, logStreamName=stream)["events"], 10
    )
    # stdout and stderr are two streams: their relative order is not kept
    assert sorted(e["message"] for e in events) == ["config missing", "starting up"]


def test_memory_limit_gives_out_of_memory(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    image = ecr_image(ecs_account, engine, registry)
    family = name("hog")
    # tail keeps the whole (endless) last line of /dev/zero in memory: past 512 MiB it is killed.
    fargate_definition(ecs, family, image=image, command=["tail", "/dev/zero"], port=None, memory="512")
    task = wait_task(ecs, "c", _run(ecs_account, family), "STOPPED", timeout=60)
    container = task["containers"][0]
    assert container["exitCode"] == 137
    assert container["reason"] == "OutOfMemoryError: Container killed due to memory usage"
    assert task["stoppedReason"] == "Essential container in task exited"


def test_missing_image_cannot_pull(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    image = ecr_image(ecs_account, engine, registry).replace(":v1", ":v2")  # never pushed
    family = name("web")
    fargate_definition(ecs, family, image=image, command=HTTPD)
    task = wait_task(ecs, "c", _run(ecs_account, family), "STOPPED")
    assert task["stopCode"] == "TaskFailedToStart"
    assert (
        task["stoppedReason"]
        == f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: {image}: not found"
    )
    assert "startedAt" not in task
    # In the registry, but no such ECR repository in the account: not found either.
    repository = name("nowhere")
    push(engine, registry, repository, "v1")
    elsewhere = f"{ecs_account.id}.dkr.ecr.us-east-1.amazonaws.com/{repository}:v1"
    fargate_definition(ecs, family, image=elsewhere, command=HTTPD)
    task = wait_task(ecs, "c", _run(ecs_account, family), "STOPPED")
    assert task["stoppedReason"].endswith(f"{elsewhere}: not found")


def test_no_public_ip_no_nat_cannot_pull(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    image = ecr_image(ecs_account, engine, registry)
    family = name("web")
    fargate_definition(ecs, family, image=image, command=HTTPD)
    task = wait_task(ecs, "c", _run(ecs_account, family, public=False), "STOPPED")
    assert task["stoppedReason"].startswith(
        f"CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref {image}: failed to do request:"
    )
    assert task["stoppedReason"].endswith("i/o timeout")


def test_missing_log_group_stops_task(ecs_account, cluster, engine, registry):
    ecs = ecs_account.client("ecs")
    image = ecr_image(ecs_account, engine, registry)
    role = execution_role(ecs_account)
    import time

    time.sleep(PROPAGATION)
    family = name("web")
    fargate_definition(
        ecs, family, image=image, command=HTTPD, log_group=f"/berth/{name('never-made')}", execution_role=role
    )
    task = wait_task(ecs, "c", _run(ecs_account, family), "STOPPED")
    assert task["stoppedReason"].startswith("ResourceInitializationError: failed to validate logger args")
    assert "The specified log group does not exist." in task["stoppedReason"]


def test_reset_removes_containers(own_backend, engine):
    # A backend of its own: a reset wipes every account, and moto's reset of a backend that has
    # served the whole suite takes long.
    account = own_backend.account_with_slr()
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName="c")
    family = name("sleepy")
    fargate_definition(ecs, family, command=["sleep", "300"], port=None)
    arn = ecs.run_task(
        cluster="c", taskDefinition=family, launchType="FARGATE", networkConfiguration=network(account)
    )["tasks"][0]["taskArn"]
    wait_task(ecs, "c", arn, "RUNNING")
    label = f"berth.moto.instance={own_backend.instance}"
    assert engine.containers.list(filters={"label": label})
    own_backend.api_post("/moto-api/reset")
    assert engine.containers.list(all=True, filters={"label": label}) == []

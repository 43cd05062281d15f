"""The service scheduler (rules ecs.service.scheduler, ecs.service.rollout, ecs.service.circuit-breaker)."""

import time

import pytest
from helpers import HTTPD, ecr_image, fargate_definition, name, network, wait_for


@pytest.fixture
def service_env(ecs_account, engine, registry):
    ecs = ecs_account.client("ecs")
    ecs.create_cluster(clusterName="c")
    image = ecr_image(ecs_account, engine, registry)
    return ecs_account, ecs, image


def _service(ecs, account, family, count=1, breaker=None):
    service = name("s")
    extra = {"deploymentConfiguration": {"deploymentCircuitBreaker": breaker}} if breaker else {}
    ecs.create_service(
        cluster="c",
        serviceName=service,
        taskDefinition=family,
        desiredCount=count,
        launchType="FARGATE",
        networkConfiguration=network(account),
        **extra,
    )
    return service


def _describe(ecs, service):
    return ecs.describe_services(cluster="c", services=[service])["services"][0]


def _messages(ecs, service):
    return [e["message"] for e in _describe(ecs, service)["events"]]


def test_service_starts_tasks_and_reaches_steady_state(service_env):
    account, ecs, image = service_env
    family = name("web")
    fargate_definition(ecs, family, image=image, command=HTTPD)
    service = _service(ecs, account, family, count=2)
    created = _describe(ecs, service)
    assert (created["runningCount"], created["deployments"][0]["rolloutState"]) == (0, "IN_PROGRESS")
    done = wait_for(
        "COMPLETED",
        lambda: (lambda s: s if s["deployments"][0]["rolloutState"] == "COMPLETED" else None)(
            _describe(ecs, service)
        ),
        40,
    )
    assert (done["runningCount"], done["pendingCount"]) == (2, 0)
    deployment = done["deployments"][0]
    tasks = ecs.describe_tasks(
        cluster="c", tasks=ecs.list_tasks(cluster="c", serviceName=service)["taskArns"]
    )["tasks"]
    assert len(tasks) == 2
    assert {t["startedBy"] for t in tasks} == {deployment["id"]}
    assert {t["group"] for t in tasks} == {f"service:{service}"}
    messages = _messages(ecs, service)
    ids = " ".join(f"(task {t['taskArn'].rsplit('/', 1)[-1]})" for t in tasks)
    assert any(m.startswith(f"(service {service}) has started 2 tasks: ") for m in messages)
    assert set(ids.split(") (")) == set(
        next(m for m in messages if "has started" in m).split(": ", 1)[1].rstrip(".").split(") (")
    )
    assert f"(service {service}) has reached a steady state." in messages
    ecs.delete_service(cluster="c", service=service, force=True)


def test_scale_down_stops_tasks(service_env):
    account, ecs, image = service_env
    family = name("web")
    fargate_definition(ecs, family, image=image, command=HTTPD)
    service = _service(ecs, account, family, count=2)
    wait_for("2 running", lambda: _describe(ecs, service)["runningCount"] == 2, 40)
    first = _describe(ecs, service)["deployments"][0]["id"]
    ecs.update_service(cluster="c", service=service, desiredCount=1)
    wait_for("1 running", lambda: _describe(ecs, service)["runningCount"] == 1, 30)
    after = _describe(ecs, service)
    assert [d["id"] for d in after["deployments"]] == [first]  # desiredCount alone: no new deployment
    stopped = ecs.describe_tasks(
        cluster="c",
        tasks=ecs.list_tasks(cluster="c", serviceName=service, desiredStatus="STOPPED")["taskArns"],
    )["tasks"]
    assert [t["stopCode"] for t in stopped] == ["ServiceSchedulerInitiated"]
    assert wait_for(
        "stop event", lambda: any("has stopped 1 running tasks" in m for m in _messages(ecs, service))
    )
    ecs.delete_service(cluster="c", service=service, force=True)


def test_stopped_task_is_replaced(service_env):
    account, ecs, image = service_env
    family = name("web")
    fargate_definition(ecs, family, image=image, command=HTTPD)
    service = _service(ecs, account, family)
    wait_for("running", lambda: _describe(ecs, service)["runningCount"] == 1, 40)
    [first] = ecs.list_tasks(cluster="c", serviceName=service)["taskArns"]
    ecs.stop_task(cluster="c", task=first)
    replacement = wait_for(
        "a replacement",
        lambda: [a for a in ecs.list_tasks(cluster="c", serviceName=service)["taskArns"] if a != first],
        30,
    )
    assert len(replacement) == 1
    wait_for("running again", lambda: _describe(ecs, service)["runningCount"] == 1, 30)
    ecs.delete_service(cluster="c", service=service, force=True)


def test_update_service_rolls_a_new_deployment(service_env):
    account, ecs, image = service_env
    old = fargate_definition(ecs, name("web"), image=image, command=HTTPD)
    service = _service(ecs, account, old)
    wait_for(
        "first rollout", lambda: _describe(ecs, service)["deployments"][0]["rolloutState"] == "COMPLETED", 40
    )
    [old_task] = ecs.list_tasks(cluster="c", serviceName=service)["taskArns"]
    new = fargate_definition(ecs, name("web2"), image=image, command=HTTPD, environment={"GREETING": "v2"})
    ecs.update_service(cluster="c", service=service, taskDefinition=new)
    during = _describe(ecs, service)["deployments"]
    assert [(d["status"], d["taskDefinition"], d["rolloutState"]) for d in during] == [
        ("PRIMARY", new, "IN_PROGRESS"),
        ("ACTIVE", old, "COMPLETED"),
    ]
    # The old task keeps running until the new one runs.
    assert ecs.describe_tasks(cluster="c", tasks=[old_task])["tasks"][0]["desiredStatus"] == "RUNNING"
    done = wait_for(
        "second rollout",
        lambda: (
            lambda s: (
                s
                if len(s["deployments"]) == 1 and s["deployments"][0]["rolloutState"] == "COMPLETED"
                else None
            )
        )(_describe(ecs, service)),
        40,
    )
    assert done["deployments"][0]["taskDefinition"] == new
    running = ecs.describe_tasks(
        cluster="c", tasks=ecs.list_tasks(cluster="c", serviceName=service)["taskArns"]
    )["tasks"]
    assert [t["taskDefinitionArn"] for t in running] == [new]
    assert ecs.describe_tasks(cluster="c", tasks=[old_task])["tasks"][0]["lastStatus"] == "STOPPED"
    ecs.delete_service(cluster="c", service=service, force=True)


def test_circuit_breaker_fails_and_stops_launching(service_env):
    account, ecs, image = service_env
    crashing = fargate_definition(ecs, name("crash"), image=image, command=["sh", "-c", "exit 3"], port=None)
    service = _service(ecs, account, crashing, breaker={"enable": True, "rollback": False})
    failed = wait_for(
        "FAILED",
        lambda: (lambda s: s if s["deployments"][0]["rolloutState"] == "FAILED" else None)(
            _describe(ecs, service)
        ),
        60,
    )
    deployment = failed["deployments"][0]
    assert deployment["failedTasks"] >= 3
    assert deployment["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert any("deployment failed: tasks failed to start." in m for m in _messages(ecs, service))

    def launched():
        return {
            a
            for status in ("RUNNING", "STOPPED")
            for a in ecs.list_tasks(cluster="c", serviceName=service, desiredStatus=status)["taskArns"]
        }

    before = launched()
    time.sleep(3)  # "stop launching new tasks"
    assert launched() == before
    ecs.delete_service(cluster="c", service=service, force=True)


def test_circuit_breaker_rolls_back(service_env):
    account, ecs, image = service_env
    good = fargate_definition(ecs, name("web"), image=image, command=HTTPD)
    service = _service(ecs, account, good, breaker={"enable": True, "rollback": True})
    wait_for(
        "first rollout", lambda: _describe(ecs, service)["deployments"][0]["rolloutState"] == "COMPLETED", 40
    )
    first = _describe(ecs, service)["deployments"][0]["id"]
    crashing = fargate_definition(ecs, name("crash"), image=image, command=["sh", "-c", "exit 3"], port=None)
    ecs.update_service(cluster="c", service=service, taskDefinition=crashing)
    rolling = wait_for(
        "the rollback deployment",
        lambda: [
            d
            for d in _describe(ecs, service)["deployments"]
            if d["rolloutStateReason"].startswith("ECS deployment circuit breaker: rolling back")
        ],
        60,
        interval=0.1,
    )
    assert (
        rolling[0]["rolloutStateReason"]
        == f"ECS deployment circuit breaker: rolling back to deploymentId {first}."
    )
    assert rolling[0]["taskDefinition"] == good
    assert f"(service {service}) rolling back to deployment {first}." in _messages(ecs, service)
    back = wait_for(
        "rolled back",
        lambda: (
            lambda s: (
                s
                if s["taskDefinition"] == good
                and s["deployments"][0]["rolloutState"] == "COMPLETED"
                and len(s["deployments"]) == 1
                else None
            )
        )(_describe(ecs, service)),
        60,
    )
    assert back["runningCount"] == 1
    ecs.delete_service(cluster="c", service=service, force=True)


def test_maximum_percent_100_replaces_in_place(service_env):
    account, ecs, image = service_env
    old = fargate_definition(ecs, name("web"), image=image, command=HTTPD)
    service = name("s")
    ecs.create_service(
        cluster="c",
        serviceName=service,
        taskDefinition=old,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(account),
        deploymentConfiguration={"maximumPercent": 100, "minimumHealthyPercent": 0},
    )
    wait_for(
        "first rollout", lambda: _describe(ecs, service)["deployments"][0]["rolloutState"] == "COMPLETED", 40
    )
    new = fargate_definition(ecs, name("web2"), image=image, command=HTTPD)
    ecs.update_service(cluster="c", service=service, taskDefinition=new)
    done = wait_for(
        "the rollout with no room for a second task",
        lambda: (
            lambda s: (
                s
                if len(s["deployments"]) == 1 and s["deployments"][0]["rolloutState"] == "COMPLETED"
                else None
            )
        )(_describe(ecs, service)),
        40,
    )
    assert done["deployments"][0]["taskDefinition"] == new
    running = ecs.describe_tasks(
        cluster="c", tasks=ecs.list_tasks(cluster="c", serviceName=service)["taskArns"]
    )["tasks"]
    assert [t["taskDefinitionArn"] for t in running] == [new]
    ecs.delete_service(cluster="c", service=service, force=True)

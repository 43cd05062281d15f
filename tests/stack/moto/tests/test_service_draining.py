"""ACTIVE → DRAINING → INACTIVE (rule ecs.service.draining)."""

from helpers import code, error_of, fargate_definition, message, name, network, wait_for


def _setup(account):
    ecs = account.client("ecs")
    ecs.create_cluster(clusterName="c")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "120"], port=None)
    ecs.create_service(
        cluster="c",
        serviceName="web",
        taskDefinition=family,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(account),
    )
    wait_for(
        "running",
        lambda: ecs.describe_services(cluster="c", services=["web"])["services"][0]["runningCount"] == 1,
        30,
    )
    return ecs, family


def _status(ecs):
    return ecs.describe_services(cluster="c", services=["web"])["services"][0]["status"]


def test_delete_service_drains_then_inactive(ecs_account):
    ecs, _ = _setup(ecs_account)
    deleted = ecs.delete_service(cluster="c", service="web", force=True)["service"]
    assert (deleted["status"], deleted["desiredCount"]) == ("DRAINING", 0)
    assert ecs.list_services(cluster="c")["serviceArns"] == []
    assert _status(ecs) == "DRAINING"
    wait_for("INACTIVE", lambda: _status(ecs) == "INACTIVE", 30)
    # "After all tasks have transitioned to either STOPPING or STOPPED status"
    [task] = ecs.describe_tasks(
        cluster="c", tasks=ecs.list_tasks(cluster="c", desiredStatus="STOPPED")["taskArns"]
    )["tasks"]
    assert task["lastStatus"] in ("STOPPING", "DEPROVISIONING", "STOPPED")
    assert task["stopCode"] == "ServiceSchedulerInitiated"


def test_create_while_draining_fails(ecs_account):
    ecs, family = _setup(ecs_account)

    def again():
        return ecs.create_service(
            cluster="c",
            serviceName="web",
            taskDefinition=family,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )

    error = error_of(again)
    assert (code(error), message(error)) == (
        "InvalidParameterException",
        "Creation of service was not idempotent.",
    )
    ecs.delete_service(cluster="c", service="web", force=True)
    error = error_of(again)
    assert (code(error), message(error)) == (
        "InvalidParameterException",
        "Unable to Start a service that is still Draining.",
    )
    wait_for("INACTIVE", lambda: _status(ecs) == "INACTIVE", 30)
    assert again()["service"]["status"] == "ACTIVE"
    ecs.delete_service(cluster="c", service="web", force=True)


def test_update_draining_service_fails(ecs_account):
    ecs, _ = _setup(ecs_account)
    ecs.delete_service(cluster="c", service="web", force=True)
    error = error_of(lambda: ecs.update_service(cluster="c", service="web", desiredCount=1))
    assert code(error) == "ServiceNotActiveException"

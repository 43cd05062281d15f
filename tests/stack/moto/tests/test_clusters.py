"""Clusters in use cannot be deleted (rule ecs.cluster.delete-in-use)."""

from helpers import code, error_of, fargate_definition, name, network, wait_for, wait_task


def test_delete_cluster_with_service(ecs_account):
    ecs = ecs_account.client("ecs")
    ecs.create_cluster(clusterName="c")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "60"], port=None)
    ecs.create_service(
        cluster="c",
        serviceName="s",
        taskDefinition=family,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )
    error = error_of(lambda: ecs.delete_cluster(cluster="c"))
    assert code(error) == "ClusterContainsServicesException"
    ecs.delete_service(cluster="c", service="s")
    assert (
        code(error_of(lambda: ecs.delete_cluster(cluster="c"))) == "ClusterContainsServicesException"
    )  # DRAINING
    wait_for(
        "INACTIVE",
        lambda: ecs.describe_services(cluster="c", services=["s"])["services"][0]["status"] == "INACTIVE",
    )
    assert ecs.delete_cluster(cluster="c")["cluster"]["status"] == "INACTIVE"


def test_delete_cluster_with_running_task(ecs_account):
    ecs = ecs_account.client("ecs")
    ecs.create_cluster(clusterName="c")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "60"], port=None)
    task = ecs.run_task(
        cluster="c", taskDefinition=family, launchType="FARGATE", networkConfiguration=network(ecs_account)
    )["tasks"][0]
    assert code(error_of(lambda: ecs.delete_cluster(cluster="c"))) == "ClusterContainsTasksException"
    ecs.stop_task(cluster="c", task=task["taskArn"])
    wait_task(ecs, "c", task["taskArn"], "STOPPED")
    ecs.delete_cluster(cluster="c")


def test_inactive_cluster_is_not_listed_nor_usable(ecs_account):
    ecs = ecs_account.client("ecs")
    arn = ecs.create_cluster(clusterName="c")["cluster"]["clusterArn"]
    family = name("web")
    fargate_definition(ecs, family, port=None)
    ecs.delete_cluster(cluster="c")
    assert arn not in ecs.list_clusters()["clusterArns"]
    assert ecs.describe_clusters(clusters=["c"])["clusters"][0]["status"] == "INACTIVE"
    error = error_of(
        lambda: ecs.run_task(
            cluster="c",
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "ClusterNotFoundException"

"""ECS parameter rules from the API reference that moto does not enforce."""

import pytest
from helpers import TEST_IMAGE, code, error_of, fargate_definition, message, name, network


@pytest.fixture
def cluster(ecs_account):
    cluster_name = name("c")
    ecs_account.client("ecs").create_cluster(clusterName=cluster_name)
    return cluster_name


def test_list_tasks_started_by_must_be_alone(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    for other in (
        {"desiredStatus": "RUNNING"},
        {"family": "web"},
        {"serviceName": "web"},
        {"launchType": "FARGATE"},
    ):
        error = error_of(lambda: ecs.list_tasks(cluster=cluster, startedBy="berth", **other))
        assert code(error) == "InvalidParameterException", other
    assert ecs.list_tasks(cluster=cluster, startedBy="berth")["taskArns"] == []


def test_list_tasks_family_and_service_together(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    error = error_of(lambda: ecs.list_tasks(cluster=cluster, family="web", serviceName="web"))
    assert code(error) == "InvalidParameterException"
    ecs.list_tasks(cluster=cluster, family="web")
    ecs.list_tasks(cluster=cluster, serviceName="web")


def test_describe_tasks_at_most_100(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    ids = [f"{n:032x}" for n in range(101)]
    error = error_of(lambda: ecs.describe_tasks(cluster=cluster, tasks=ids))
    assert code(error) == "InvalidParameterException"
    ecs.describe_tasks(cluster=cluster, tasks=ids[:100])


def test_describe_services_at_most_10(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    error = error_of(lambda: ecs.describe_services(cluster=cluster, services=[f"s{n}" for n in range(11)]))
    assert code(error) == "InvalidParameterException"
    assert (
        len(ecs.describe_services(cluster=cluster, services=[f"s{n}" for n in range(10)])["failures"]) == 10
    )


def test_run_task_count_at_most_10(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "60"])
    error = error_of(
        lambda: ecs.run_task(
            cluster=cluster,
            taskDefinition=family,
            count=11,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"
    assert ecs.list_tasks(cluster=cluster)["taskArns"] == []


def test_list_max_results_range(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    for bad in (0, 101):
        error = error_of(lambda: ecs.list_services(cluster=cluster, maxResults=bad))
        assert code(error) == "InvalidParameterException"
    ecs.list_services(cluster=cluster, maxResults=100)


def test_cluster_name_characters(ecs_account):
    ecs = ecs_account.client("ecs")
    for bad in ("my cluster", "c" * 256, "café"):
        error = error_of(lambda: ecs.create_cluster(clusterName=bad))
        assert code(error) == "InvalidParameterException", bad
    ecs.create_cluster(clusterName="My_cluster-1")


def test_service_and_family_names(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    error = error_of(lambda: fargate_definition(ecs, "web.v1"))
    assert code(error) == "ClientException"
    family = name("web")
    fargate_definition(ecs, family)
    error = error_of(
        lambda: ecs.create_service(
            cluster=cluster,
            serviceName="web app",
            taskDefinition=family,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"


def test_run_task_started_by_characters(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "60"])
    error = error_of(
        lambda: ecs.run_task(
            cluster=cluster,
            taskDefinition=family,
            startedBy="berth launch",
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"


def test_tags_with_aws_prefix(ecs_account):
    ecs = ecs_account.client("ecs")
    error = error_of(
        lambda: ecs.create_cluster(clusterName=name("c"), tags=[{"key": "aws:managed", "value": "x"}])
    )
    assert code(error) == "InvalidParameterException"
    ecs.create_cluster(clusterName=name("c"), tags=[{"key": "berth:managed", "value": "true"}])


def _register(ecs, **overrides):
    definition = {
        "family": name("web"),
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{"name": "app", "image": TEST_IMAGE}],
    }
    definition.update(overrides)
    definition = {k: v for k, v in definition.items() if v is not None}
    return ecs.register_task_definition(**definition)


@pytest.mark.parametrize(
    "cpu,memory,valid",
    [
        ("256", "512", True),
        ("256", "4096", False),
        ("512", "3072", True),
        ("1024", "1024", False),
        ("1 vCPU", "2GB", True),
        ("8192", "20480", True),
        ("8192", "18432", False),  # 16 GiB and up go in 4 GiB steps at 8 vCPU
        ("300", "1024", False),
    ],
)
def test_fargate_cpu_memory_pairs(account, cpu, memory, valid):
    ecs = account.client("ecs")
    if valid:
        _register(ecs, cpu=cpu, memory=memory)
    else:
        error = error_of(lambda: _register(ecs, cpu=cpu, memory=memory))
        assert code(error) == "ClientException"
        assert message(error).startswith("No Fargate configuration exists for given values")


def test_fargate_needs_task_level_cpu(account):
    ecs = account.client("ecs")
    error = error_of(
        lambda: _register(
            ecs, cpu=None, containerDefinitions=[{"name": "app", "image": TEST_IMAGE, "cpu": 256}]
        )
    )
    assert code(error) == "ClientException"
    assert message(error) == "Fargate requires that 'cpu' be defined at the task level."


def test_fargate_network_mode_and_host_port(account):
    ecs = account.client("ecs")
    error = error_of(lambda: _register(ecs, networkMode="bridge"))
    assert code(error) == "ClientException"
    error = error_of(
        lambda: _register(
            ecs,
            containerDefinitions=[
                {
                    "name": "app",
                    "image": TEST_IMAGE,
                    "portMappings": [{"containerPort": 8080, "hostPort": 80}],
                }
            ],
        )
    )
    assert code(error) == "ClientException"
    _register(
        ecs,
        containerDefinitions=[
            {"name": "app", "image": TEST_IMAGE, "portMappings": [{"containerPort": 8080, "hostPort": 8080}]}
        ],
    )


def test_fargate_awslogs_needs_execution_role(account):
    ecs = account.client("ecs")
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/berth/x",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "ecs",
        },
    }
    error = error_of(
        lambda: _register(
            ecs, containerDefinitions=[{"name": "app", "image": TEST_IMAGE, "logConfiguration": logging}]
        )
    )
    assert code(error) == "ClientException"
    assert "execution role ARN to support log driver awslogs" in message(error)


def test_create_service_needs_network_configuration(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    family = name("web")
    fargate_definition(ecs, family)
    error = error_of(
        lambda: ecs.create_service(
            cluster=cluster,
            serviceName=name("s"),
            taskDefinition=family,
            desiredCount=0,
            launchType="FARGATE",
        )
    )
    assert code(error) == "InvalidParameterException"
    assert message(error) == "Network Configuration must be provided when networkMode 'awsvpc' is specified."


def test_subnet_and_group_limits(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    ec2 = ecs_account.client("ec2")
    family = name("web")
    fargate_definition(ecs, family)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"172.31.{100 + n}.0/24")["Subnet"]["SubnetId"]
        for n in range(17)
    ]
    groups = [
        ec2.create_security_group(GroupName=name("g"), Description="g", VpcId=vpc)["GroupId"]
        for _ in range(6)
    ]

    def create(subnet_list, group_list):
        config = {"awsvpcConfiguration": {"subnets": subnet_list, "securityGroups": group_list}}
        return ecs.create_service(
            cluster=cluster,
            serviceName=name("s"),
            taskDefinition=family,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=config,
        )

    assert code(error_of(lambda: create(subnets, groups[:1]))) == "InvalidParameterException"
    assert code(error_of(lambda: create(subnets[:1], groups))) == "InvalidParameterException"
    create(subnets[:16], groups[:5])


def test_default_security_group_is_used(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    ec2 = ecs_account.client("ec2")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "30"])
    task = ecs.run_task(
        cluster=cluster,
        taskDefinition=family,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )["tasks"][0]
    eni = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}["networkInterfaceId"]
    groups = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["Groups"]
    assert [g["GroupName"] for g in groups] == ["default"]
    ecs.stop_task(cluster=cluster, task=task["taskArn"])


def test_launch_type_must_be_compatible(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    family = name("ec2only")
    ecs.register_task_definition(
        family=family, containerDefinitions=[{"name": "app", "image": TEST_IMAGE, "memory": 128}]
    )
    error = error_of(
        lambda: ecs.run_task(
            cluster=cluster,
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"
    assert message(error) == "Task definition does not support launch_type FARGATE."

"""A task's secrets come from SSM Parameter Store through the execution role (rule
ecs.task.secrets)."""

import json
import time

import pytest
from helpers import HTTPD, ecr_image, execution_role, http_get, name, network, public_ip, wait_for, wait_task

PROPAGATION = 1.6


@pytest.fixture
def cluster(ecs_account):
    ecs_account.client("ecs").create_cluster(clusterName="c")
    return "c"


def _secret_definition(account, image, role, parameter_arn):
    family = name("web")
    account.client("ecs").register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        executionRoleArn=role,
        containerDefinitions=[
            {
                "name": "app",
                "image": image,
                "essential": True,
                "command": HTTPD,
                "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                "secrets": [{"name": "GREETING", "valueFrom": parameter_arn}],
            }
        ],
    )
    return family


def _parameter(account, value):
    ssm = account.client("ssm")
    parameter = f"/berth/{name('app')}/GREETING"
    ssm.put_parameter(Name=parameter, Value=value, Type="SecureString")
    region = ssm.meta.region_name
    return f"arn:aws:ssm:{region}:{account.id}:parameter{parameter}"


def _run(account, family):
    return account.client("ecs").run_task(
        cluster="c",
        taskDefinition=family,
        launchType="FARGATE",
        networkConfiguration=network(account),
    )["tasks"][0]["taskArn"]


def _get(url):
    try:
        return http_get(url, timeout=1)
    except OSError:
        return None


def test_a_secret_reaches_the_container_environment(ecs_account, cluster, engine, registry):
    image = ecr_image(ecs_account, engine, registry)
    role = execution_role(ecs_account)
    arn = _parameter(ecs_account, "s3cret value")
    ecs_account.client("iam").put_role_policy(
        RoleName=role.rsplit("/", 1)[-1],
        PolicyName="read",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [arn]}]}
        ),
    )
    time.sleep(PROPAGATION)
    family = _secret_definition(ecs_account, image, role, arn)
    ecs = ecs_account.client("ecs")
    task = wait_task(ecs, "c", _run(ecs_account, family), "RUNNING", 40)
    address = public_ip(ecs_account, task)
    assert wait_for("the page", lambda: _get(f"http://{address}:8080/index.html"), 10) == "s3cret value\n"
    # The value is in the container only: the task definition names the parameter.
    described = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    assert "s3cret" not in json.dumps(described, default=str)
    ecs.stop_task(cluster="c", task=task["taskArn"])


def test_a_role_that_cannot_read_the_parameter_stops_the_task(ecs_account, cluster, engine, registry):
    image = ecr_image(ecs_account, engine, registry)
    role = execution_role(ecs_account)
    arn = _parameter(ecs_account, "s3cret value")
    time.sleep(PROPAGATION)
    family = _secret_definition(ecs_account, image, role, arn)
    task = wait_task(ecs_account.client("ecs"), "c", _run(ecs_account, family), "STOPPED")
    assert task["stoppedReason"].startswith("ResourceInitializationError: unable to pull secrets")
    assert "ssm:GetParameters" in task["stoppedReason"]

"""IAM eventual consistency and dead keys (rules iam.propagation.*, iam.access-key.*,
ecs.task-definition.role-valid)."""

import json
import time

import pytest
from helpers import code, error_of, execution_role, fargate_definition, message, name, network, status

PROPAGATION = 1.6  # a little more than the suite's iam_propagation_s


def _user_keys(account):
    iam = account.client("iam")
    user = name("deploy")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return user, {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def test_new_access_key_is_not_valid_at_once(account, backend):
    _, keys = _user_keys(account)
    sts = backend.client("sts", keys)
    error = error_of(sts.get_caller_identity)
    assert (code(error), status(error), message(error)) == (
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )
    error = error_of(backend.client("ecs", keys).list_clusters)
    assert (code(error), status(error)) == ("UnrecognizedClientException", 400)
    error = error_of(backend.client("ec2", keys).describe_vpcs)
    assert (code(error), status(error)) == ("AuthFailure", 401)
    time.sleep(PROPAGATION)
    assert sts.get_caller_identity()["Account"] == account.id


def test_deleted_and_inactive_keys_are_refused(account, backend):
    user, keys = _user_keys(account)
    time.sleep(PROPAGATION)
    sts = backend.client("sts", keys)
    sts.get_caller_identity()
    iam = account.client("iam")
    iam.update_access_key(UserName=user, AccessKeyId=keys["aws_access_key_id"], Status="Inactive")
    assert code(error_of(sts.get_caller_identity)) == "InvalidClientTokenId"
    iam.update_access_key(UserName=user, AccessKeyId=keys["aws_access_key_id"], Status="Active")
    sts.get_caller_identity()
    iam.delete_access_key(UserName=user, AccessKeyId=keys["aws_access_key_id"])
    assert code(error_of(sts.get_caller_identity)) == "InvalidClientTokenId"


def test_new_role_cannot_be_passed_at_once(account):
    ecs = account.client("ecs")
    role = execution_role(account)
    error = error_of(lambda: fargate_definition(ecs, name("web"), execution_role=role))
    assert code(error) == "AccessDeniedException"
    assert f"is not authorized to perform: iam:PassRole on resource: {role}" in message(error)
    time.sleep(PROPAGATION)
    fargate_definition(ecs, name("web"), execution_role=role)


def test_run_task_with_new_execution_role(ecs_account):
    ecs = ecs_account.client("ecs")
    iam = ecs_account.client("iam")
    ecs.create_cluster(clusterName="c")
    role_name = name("exec")
    role = execution_role(ecs_account, role_name)
    time.sleep(PROPAGATION)
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "30"], execution_role=role)
    iam.delete_role(RoleName=role_name)  # made again under the same name: new, not yet usable
    execution_role(ecs_account, role_name)
    error = error_of(
        lambda: ecs.run_task(
            cluster="c",
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "ClientException"
    assert message(error).startswith(
        f"ECS was unable to assume the role '{role}' that was provided for this task."
    )
    time.sleep(PROPAGATION)
    task = ecs.run_task(
        cluster="c", taskDefinition=family, launchType="FARGATE", networkConfiguration=network(ecs_account)
    )["tasks"][0]
    ecs.stop_task(cluster="c", task=task["taskArn"])


def test_service_retries_with_new_execution_role(ecs_account):
    ecs = ecs_account.client("ecs")
    iam = ecs_account.client("iam")
    ecs.create_cluster(clusterName="c")
    role_name = name("exec")
    role = execution_role(ecs_account, role_name)
    time.sleep(PROPAGATION)
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "60"], execution_role=role)
    iam.delete_role(RoleName=role_name)
    execution_role(ecs_account, role_name)
    service = name("s")
    ecs.create_service(
        cluster="c",
        serviceName=service,
        taskDefinition=family,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )
    from helpers import wait_for

    events = wait_for(
        "the failed launch event",
        lambda: [
            e["message"]
            for e in ecs.describe_services(cluster="c", services=[service])["services"][0]["events"]
            if "failed to launch" in e["message"]
        ],
        10,
    )
    assert (
        events[0]
        == f"(service {service}) failed to launch a task with (error ECS was unable to assume the role '{role}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.)."
    )
    wait_for(
        "the retried launch",
        lambda: ecs.describe_services(cluster="c", services=[service])["services"][0]["runningCount"] == 1,
        20,
    )
    ecs.delete_service(cluster="c", service=service, force=True)


def test_assume_new_role(account):
    iam = account.client("iam")
    role_name = name("deployer")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account.id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    sts = account.client("sts")
    error = error_of(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="berth"))
    assert code(error) == "AccessDenied"
    time.sleep(PROPAGATION)
    sts.assume_role(RoleArn=arn, RoleSessionName="berth")


def test_task_definition_with_unknown_role(account):
    ecs = account.client("ecs")
    error = error_of(
        lambda: fargate_definition(
            ecs, name("web"), execution_role=f"arn:aws:iam::{account.id}:role/ecsTaskExecutionRole"
        )
    )
    assert (code(error), message(error)) == ("ClientException", "Role is not valid")


@pytest.mark.parametrize("service", ["lambda.amazonaws.com"])
def test_execution_role_must_trust_ecs_tasks(ecs_account, service):
    ecs = ecs_account.client("ecs")
    ecs.create_cluster(clusterName="c")
    role = execution_role(ecs_account, service=service)
    time.sleep(PROPAGATION)
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "30"], execution_role=role)
    error = error_of(
        lambda: ecs.run_task(
            cluster="c",
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "ClientException"
    assert "ECS was unable to assume the role" in message(error)

"""Application Auto Scaling for an ECS service (API reference: RegisterScalableTarget,
PutScalingPolicy, DeregisterScalableTarget)."""

import json
import time

import pytest
from helpers import code, error_of, fargate_definition, message, name, network

DIMENSION = "ecs:service:DesiredCount"
CPU_POLICY = {
    "TargetValue": 60.0,
    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
}


@pytest.fixture
def service(ecs_account):
    ecs = ecs_account.client("ecs")
    cluster = name("c")
    ecs.create_cluster(clusterName=cluster)
    service_name = name("s")
    ecs.create_service(
        cluster=cluster,
        serviceName=service_name,
        taskDefinition=fargate_definition(ecs, name("web")),
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )
    return f"service/{cluster}/{service_name}"


LINKED_ROLE = "AWSServiceRoleForApplicationAutoScaling_ECSService"
PROPAGATION = 1.6  # a little more than the suite's iam_propagation_s (new access keys)


def register(aas, resource_id):
    return aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=resource_id, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )


def user_allowed(account, backend, statements):
    """A new IAM user with these policy statements, signed in with its own key."""
    iam = account.client("iam")
    user = name("deploy")
    iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=user,
        PolicyName="p",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    time.sleep(PROPAGATION)
    keys = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    return backend.client("application-autoscaling", keys)


def test_the_first_registration_needs_leave_to_make_the_service_linked_role(ecs_account, backend, service):
    scaling = {"Effect": "Allow", "Action": "application-autoscaling:*", "Resource": "*"}
    linked_role = (
        f"arn:aws:iam::{ecs_account.id}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/{LINKED_ROLE}"
    )
    ecs_role_only = {
        "Effect": "Allow",
        "Action": "iam:CreateServiceLinkedRole",
        "Resource": f"arn:aws:iam::{ecs_account.id}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
        "Condition": {"StringEquals": {"iam:AWSServiceName": "ecs.amazonaws.com"}},
    }
    refused = user_allowed(ecs_account, backend, [scaling, ecs_role_only])
    error = error_of(lambda: register(refused, service))
    assert code(error) == "AccessDeniedException"
    assert f"iam:CreateServiceLinkedRole on resource: {linked_role}" in message(error)
    iam = ecs_account.client("iam")
    assert code(error_of(lambda: iam.get_role(RoleName=LINKED_ROLE))) == "NoSuchEntity"
    aas = ecs_account.client("application-autoscaling")
    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []

    # The same grant for the autoscaling role, conditioned on its service, is enough.
    allowed = user_allowed(
        ecs_account,
        backend,
        [
            scaling,
            ecs_role_only,
            {
                "Effect": "Allow",
                "Action": "iam:CreateServiceLinkedRole",
                "Resource": linked_role,
                "Condition": {"StringEquals": {"iam:AWSServiceName": "ecs.application-autoscaling.amazonaws.com"}},
            },
        ],
    )
    register(allowed, service)
    role = iam.get_role(RoleName=LINKED_ROLE)["Role"]
    assert role["Arn"] == linked_role
    # Once the role exists, registering needs no leave to make it.
    register(refused, service)


def put_policy(aas, resource_id):
    return aas.put_scaling_policy(
        PolicyName="cpu",
        ServiceNamespace="ecs",
        ResourceId=resource_id,
        ScalableDimension=DIMENSION,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration=CPU_POLICY,
    )


def test_a_policy_needs_a_registered_target(ecs_account, service):
    aas = ecs_account.client("application-autoscaling")
    error = error_of(lambda: put_policy(aas, service))
    assert code(error) == "ObjectNotFoundException"
    aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=service, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )
    put_policy(aas, service)


def test_deregistering_a_missing_target_is_not_found(ecs_account, service):
    aas = ecs_account.client("application-autoscaling")
    error = error_of(
        lambda: aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=service, ScalableDimension=DIMENSION)
    )
    assert code(error) == "ObjectNotFoundException"


def test_deregistering_a_target_deletes_its_policies(ecs_account, service):
    aas = ecs_account.client("application-autoscaling")
    aas.register_scalable_target(
        ServiceNamespace="ecs", ResourceId=service, ScalableDimension=DIMENSION, MinCapacity=1, MaxCapacity=3
    )
    put_policy(aas, service)

    def policies():
        answer = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=service)
        return [p["PolicyName"] for p in answer["ScalingPolicies"] if p["ResourceId"] == service]

    assert policies() == ["cpu"]
    aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=service, ScalableDimension=DIMENSION)
    assert policies() == []

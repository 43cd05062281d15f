"""Application Auto Scaling for an ECS service (API reference: RegisterScalableTarget,
PutScalingPolicy, DeregisterScalableTarget)."""

import pytest
from helpers import code, error_of, fargate_definition, name, network

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

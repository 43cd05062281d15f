"""Application Auto Scaling as Berth's scaling services rely on it: a scaling policy, or a
deregistration, needs a registered scalable target (moto accepted a policy on nothing and answered
a missing target with ValidationException), and deregistering a target deletes its scaling
policies (moto kept them, so a torn-down service's policy outlived it)."""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import ApplicationAutoscalingBackend as Backend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before, patch

REF = "https://docs.aws.amazon.com/autoscaling/application/APIReference"

TARGET_REQUIRED = rule(
    "application-autoscaling.target-required",
    "PutScalingPolicy and DeregisterScalableTarget for a service namespace, resource id and "
    "scalable dimension with no registered scalable target answer ObjectNotFoundException (moto "
    "stored the policy, and refused the deregistration with ValidationException)",
    "application-autoscaling:PutScalingPolicy application-autoscaling:DeregisterScalableTarget",
    "ObjectNotFoundException: The specified object could not be found. For any operation that "
    "depends on the existence of a scalable target, this exception is thrown if the scalable "
    "target with the specified service namespace, resource ID, and scalable dimension does not "
    "exist.",
    f"{REF}/API_PutScalingPolicy.html",
    (
        "test_autoscaling.py::test_a_policy_needs_a_registered_target",
        "test_autoscaling.py::test_deregistering_a_missing_target_is_not_found",
    ),
)
DEREGISTER_CASCADES = rule(
    "application-autoscaling.deregister-deletes-policies",
    "DeregisterScalableTarget deletes the target's scaling policies (moto kept them)",
    "application-autoscaling:DeregisterScalableTarget",
    "Deregistering a scalable target deletes the scaling policies and the scheduled actions that "
    "are associated with it.",
    f"{REF}/API_DeregisterScalableTarget.html",
    "test_autoscaling.py::test_deregistering_a_target_deletes_its_policies",
)


def _backend(call: Call) -> Backend:
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    return applicationautoscaling_backends[call.account][call.region]


@before("application-autoscaling", "PutScalingPolicy DeregisterScalableTarget")
def target_required(call: Call) -> None:
    if not TARGET_REQUIRED.enabled:
        return
    namespace = call.params.get("ServiceNamespace")
    resource = call.params.get("ResourceId")
    dimension = call.params.get("ScalableDimension")
    if not isinstance(resource, str) or not isinstance(dimension, str):
        return  # moto answers the missing parameter itself
    if resource not in _backend(call).targets.get(dimension, {}):
        raise AwsError(
            "ObjectNotFoundException",
            f"No scalable target registered for service namespace: {namespace}, resource ID: "
            f"{resource}, scalable dimension: {dimension}",
        )


@patch(Backend, "deregister_scalable_target")
def deregister_scalable_target(original: Any, self: Backend, namespace: str, r_id: str, dimension: str) -> None:
    original(self, namespace, r_id, dimension)
    if not DEREGISTER_CASCADES.enabled:
        return
    for key, policy in list(self.policies.items()):
        if (
            policy.service_namespace == namespace
            and policy.resource_id == r_id
            and policy.scalable_dimension == dimension
        ):
            del self.policies[key]

"""Application Auto Scaling as Berth's scaling services rely on it: a scaling policy, or a
deregistration, needs a registered scalable target (moto accepted a policy on nothing and answered
a missing target with ValidationException), deregistering a target deletes its scaling policies
(moto kept them, so a torn-down service's policy outlived it), and the first registration of an
ECS service in an account makes a service-linked role, which the caller must be allowed to make
(moto made none and asked nothing)."""

from __future__ import annotations

from typing import Any

from moto.applicationautoscaling.models import ApplicationAutoscalingBackend as Backend

from .. import iam_state, policies
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

LINKED_ROLE_SERVICE = "ecs.application-autoscaling.amazonaws.com"
LINKED_ROLE_NAME = "AWSServiceRoleForApplicationAutoScaling_ECSService"
SERVICE_LINKED_ROLE = rule(
    "application-autoscaling.service-linked-role",
    "The first RegisterScalableTarget of an ECS service in an account makes the service-linked role "
    f"{LINKED_ROLE_NAME}; a caller (an IAM user) whose policies do not allow "
    "iam:CreateServiceLinkedRole on that role with iam:AWSServiceName "
    f"{LINKED_ROLE_SERVICE} is refused with AccessDeniedException and nothing is registered; once "
    "the role exists, no such permission is asked (moto made no role and checked nothing)",
    "application-autoscaling:RegisterScalableTarget",
    "Application Auto Scaling requires permissions to create a service-linked role the first time "
    "any user in your AWS account calls RegisterScalableTarget for a given service. … If this role "
    "doesn't exist, you must have permissions to create it or a permission error occurs.",
    "https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-service-linked-roles.html",
    "test_autoscaling.py::test_the_first_registration_needs_leave_to_make_the_service_linked_role",
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


@before("application-autoscaling", "RegisterScalableTarget")
def service_linked_role(call: Call) -> None:
    if not SERVICE_LINKED_ROLE.enabled or call.params.get("ServiceNamespace") != "ecs":
        return
    if iam_state.role_named(call.account, LINKED_ROLE_NAME) is not None:
        return
    role_arn = f"arn:aws:iam::{call.account}:role/aws-service-role/{LINKED_ROLE_SERVICE}/{LINKED_ROLE_NAME}"
    # Only an IAM user's policies are read; other callers (an assumed role, the practice account's
    # own keys) stand for an administrator.
    user = policies.user_of_key(call.account, call.access_key)
    if user is not None and not policies.allows(
        policies.user_documents(call.account, user),
        "iam:CreateServiceLinkedRole",
        role_arn,
        {"iam:AWSServiceName": LINKED_ROLE_SERVICE},
    ):
        raise AwsError(
            "AccessDeniedException",
            f"User: {call.caller_arn()} is not authorized to perform: iam:CreateServiceLinkedRole "
            f"on resource: {role_arn} because no identity-based policy allows the "
            "iam:CreateServiceLinkedRole action",
        )
    iam_state.create_linked_role(
        call.account,
        LINKED_ROLE_SERVICE,
        LINKED_ROLE_NAME,
        "Allows Application Auto Scaling to scale ECS services on your behalf.",
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

"""A task's ``secrets`` (rule ecs.task.secrets): ECS reads each SSM parameter with the task
execution role when the task starts and puts the value in the container's environment; a
parameter the role may not read (or that does not exist) stops the task with
ResourceInitializationError. moto ignores ``secrets`` entirely: the container would start without
them, and a missing permission would go unnoticed until the user met AWS."""

from __future__ import annotations

from typing import Any

from moto.ssm.models import ssm_backends

from .. import policies
from ..catalog import rule

SECRETS = rule(
    "ecs.task.secrets",
    "A task whose container definition has secrets gets each SSM parameter's value in its "
    "environment, read with the execution role; a parameter the role may not read (ssm:GetParameters) "
    "or that does not exist stops the task with ResourceInitializationError (moto: ignored)",
    "ecs:RunTask, ecs:CreateService",
    "To inject sensitive data into your containers as environment variables, use the secrets "
    "container definition parameter. … For information about the required AWS Identity and Access "
    "Management permissions, see Required IAM permissions for Amazon ECS secrets",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html",
    (
        "test_ecs_secrets.py::test_a_secret_reaches_the_container_environment",
        "test_ecs_secrets.py::test_a_role_that_cannot_read_the_parameter_stops_the_task",
    ),
)

INIT_ERROR = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve secrets from ssm: {reason}"
)


def may_read(account: str, role_arn: str | None, parameter_arn: str) -> bool:
    """Whether the role's policies allow ssm:GetParameters on the parameter (and deny nothing)."""
    if not role_arn:
        return False
    return policies.allows(policies.role_documents(account, role_arn), "ssm:GetParameters", parameter_arn)


def resolve(
    account: str, region: str, role_arn: str | None, definition: dict[str, Any]
) -> tuple[dict[str, str], str | None]:
    """The container's secret environment, or the reason the task stops."""
    values: dict[str, str] = {}
    if not SECRETS.enabled:
        return values, None
    for secret in definition.get("secrets") or []:
        value_from = secret.get("valueFrom", "")
        if ":secretsmanager:" in value_from:
            continue  # out of scope: Berth uses SSM Parameter Store
        name = value_from.split(":parameter", 1)[1] if ":parameter" in value_from else value_from
        name = name if name.startswith("/") else "/" + name
        arn = value_from if value_from.startswith("arn:") else (
            f"arn:aws:ssm:{region}:{account}:parameter{name}"
        )
        if not may_read(account, role_arn, arn):
            who = role_arn or "the task (no execution role)"
            return {}, INIT_ERROR.format(
                reason=f"AccessDeniedException: {who} is not authorized to perform: "
                f"ssm:GetParameters on resource: {arn}"
            )
        parameter = ssm_backends[account][region].get_parameter(name)
        if parameter is None:
            return {}, INIT_ERROR.format(reason=f"invalid parameters: {name}")
        value = parameter.decrypt(parameter.value) if hasattr(parameter, "decrypt") else parameter.value
        values[secret["name"]] = value or ""
    return values, None

"""Reading moto's IAM backend the way the rules need it: roles by ARN, ages, the ECS SLR."""

from __future__ import annotations

import datetime
import json
from typing import Any

from moto.core.utils import utcnow
from moto.iam.models import iam_backends

from . import state

ECS_SLR_NAME = "AWSServiceRoleForECS"
ECS_SERVICE = "ecs.amazonaws.com"
_LONG_AGO = datetime.datetime(2020, 1, 1)


def backend(account_id: str) -> Any:
    return iam_backends[account_id]["aws"]


def age_s(created: datetime.datetime | None) -> float:
    if created is None:
        return float("inf")
    return (utcnow() - created).total_seconds()


def role_by_arn(account_id: str, arn: str) -> Any | None:
    name = arn.rsplit("/", 1)[-1]
    for role in backend(account_id).get_roles():
        if role.arn == arn or (role.name == name and f":{account_id}:" in arn):
            return role
    return None


def create_linked_role(
    account_id: str, service: str, name: str, description: str, created: datetime.datetime | None = None
) -> Any:
    """A service-linked role as IAM shows it: trusted by ``service``, under its
    ``/aws-service-role/<service>/`` path (moto's own names them differently)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    role = backend(account_id).create_role(
        name,
        json.dumps(trust),
        f"/aws-service-role/{service}/",
        permissions_boundary=None,
        description=description,
        tags=[],
        max_session_duration="3600",
        linked_service=service,
    )
    if created is not None:
        role.create_date = created
    return role


def create_ecs_slr(account_id: str, created: datetime.datetime | None = None) -> Any:
    """The ECS service-linked role (moto would name it AWSServiceRoleForecs)."""
    return create_linked_role(
        account_id, ECS_SERVICE, ECS_SLR_NAME, "Role to enable Amazon ECS to manage your cluster.", created
    )


def role_named(account_id: str, name: str) -> Any | None:
    return next((r for r in backend(account_id).get_roles() if r.name == name), None)


def ecs_slr(account_id: str) -> Any | None:
    """The account's ECS service-linked role, made on first sight for accounts set up with one."""
    role = role_named(account_id, ECS_SLR_NAME)
    if role is None and state.has_preexisting_slr(account_id):
        return create_ecs_slr(account_id, created=_LONG_AGO)
    return role


def trusts_service(role: Any, service: str) -> bool:
    """Whether the role's trust policy lets ``service`` (e.g. ecs-tasks.amazonaws.com) assume it."""
    try:
        document = role.assume_role_policy_document
        policy = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return False
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements:
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = statement.get("Principal", {})
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        if service in services:
            return True
    return False

"""IAM is eventually consistent: a new access key, role or user is not usable at once.

moto makes every change visible to every service immediately; AWS takes seconds
(``iam_propagation_s``). Also: moto accepts any access key, even a deleted or inactive one.
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import IAMBackend

from .. import errors, iam_state
from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before, patch
from ..settings import SETTINGS

IAM_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html"

NEW_KEY = rule(
    "iam.propagation.access-key",
    "A request signed with an IAM user's access key created less than iam_propagation_s ago "
    "answers the invalid-token error of its protocol (UnrecognizedClientException / "
    "InvalidClientTokenId / AuthFailure)",
    "*",
    "As a service that is accessed through computers in data centers around the world, IAM uses "
    "a distributed computing model called eventual consistency. Any change that you make in IAM "
    "(or other AWS services) takes time to become visible from all possible endpoints.",
    IAM_DOC,
    "test_iam_consistency.py::test_new_access_key_is_not_valid_at_once",
)
DEAD_KEY = rule(
    "iam.access-key.deleted-or-inactive",
    "A request signed with a deleted or Inactive access key answers the invalid-token error "
    "(moto treats an unknown key as the default account's)",
    "*",
    "Changes the status of the specified access key from Active to Inactive, or vice versa. This "
    "operation can be used to disable a user's key as part of a key rotation workflow.",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html",
    "test_iam_consistency.py::test_deleted_and_inactive_keys_are_refused",
)
NEW_ROLE = rule(
    "iam.propagation.role",
    "RegisterTaskDefinition naming a role created less than iam_propagation_s ago answers "
    "AccessDeniedException (not authorized to perform iam:PassRole); RunTask with such an "
    'execution role answers ClientException "ECS was unable to assume the role…"; a service '
    "records that sentence as an event and retries (see the scheduler); sts:AssumeRole of such a "
    "role answers AccessDenied",
    "ecs:RegisterTaskDefinition ecs:RunTask ecs:CreateService sts:AssumeRole",
    "first apply of a new service can fail with: AccessDeniedException: … is not authorized to "
    "perform: iam:PassRole on resource: <the role the same apply just created> / service X "
    "failed to launch a task with (error ECS was unable to assume the role '…' that was provided "
    "for this task. …)",
    "https://github.com/terraform-aws-modules/terraform-aws-ecs/issues/414",
    (
        "test_iam_consistency.py::test_new_role_cannot_be_passed_at_once",
        "test_iam_consistency.py::test_run_task_with_new_execution_role",
        "test_iam_consistency.py::test_service_retries_with_new_execution_role",
        "test_iam_consistency.py::test_assume_new_role",
    ),
)
ROLE_VALID = rule(
    "ecs.task-definition.role-valid",
    "RegisterTaskDefinition with an executionRoleArn or taskRoleArn that is not a role of the "
    'account answers ClientException "Role is not valid"; a task whose execution role does not '
    "trust ecs-tasks.amazonaws.com cannot start",
    "ecs:RegisterTaskDefinition ecs:RunTask",
    "ClientException: Role is not valid (role ARN hard-coded from another setup).",
    "https://github.com/bradford-hamilton/terraform-ecs-fargate/issues/8",
    (
        "test_iam_consistency.py::test_task_definition_with_unknown_role",
        "test_iam_consistency.py::test_execution_role_must_trust_ecs_tasks",
    ),
)
KEY_QUOTA = rule(
    "iam.quota.access-keys-per-user",
    'CreateAccessKey beyond access_keys_per_user (AWS: 2) answers LimitExceeded "Cannot exceed '
    'quota for AccessKeysPerUser: N" (moto has the check with a fixed 2; the setting makes it '
    "testable at other values)",
    "iam:CreateAccessKey",
    "Access keys assigned to an IAM user: 2 / LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2",
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
    "test_quotas.py::test_access_keys_per_user_quota",
)

_DEAD_KEYS: set[str] = set()


def reset() -> None:
    _DEAD_KEYS.clear()


def _key(call: Call) -> Any | None:
    return iam_state.backend(call.account).access_keys.get(call.access_key)


@before()
def signing_key(call: Call) -> None:
    if DEAD_KEY.enabled and call.access_key in _DEAD_KEYS:
        raise errors.invalid_token(call.protocol)
    key = _key(call)
    if key is None or not key.user_name:  # not an IAM user's key (e.g. STS session keys)
        return
    if DEAD_KEY.enabled and key.status != "Active":
        raise errors.invalid_token(call.protocol)
    if NEW_KEY.enabled and iam_state.age_s(key.create_date) < SETTINGS.iam_propagation_s:
        raise errors.invalid_token(call.protocol)


@patch(IAMBackend, "delete_access_key_by_name")
def remember_deleted_key(original: Any, self: IAMBackend, name: str) -> Any:
    _DEAD_KEYS.add(name)
    return original(self, name)


@patch(IAMBackend, "create_access_key")
def access_key_quota(original: Any, self: IAMBackend, user_name: str, *args: Any, **kwargs: Any) -> Any:
    if KEY_QUOTA.enabled:
        quota = SETTINGS.access_keys_per_user
        if len(self.list_access_keys(user_name)) >= quota:
            raise AwsError("LimitExceeded", f"Cannot exceed quota for AccessKeysPerUser: {quota}", 409)
        import moto.iam.models as iam_models

        # moto's own check compares with a module constant of 2; ours has decided already.
        saved, iam_models.LIMIT_KEYS_PER_USER = iam_models.LIMIT_KEYS_PER_USER, 10**6
        try:
            return original(self, user_name, *args, **kwargs)
        finally:
            iam_models.LIMIT_KEYS_PER_USER = saved
    return original(self, user_name, *args, **kwargs)


def young(role: Any) -> bool:
    return NEW_ROLE.enabled and iam_state.age_s(role.create_date) < SETTINGS.iam_propagation_s


def unable_to_assume(arn: str) -> str:
    return (
        f"ECS was unable to assume the role '{arn}' that was provided for this task. Please "
        "verify that the role being passed has the proper trust relationship and permissions and "
        "that your IAM user has permissions to pass this role."
    )


@before("ecs", "RegisterTaskDefinition")
def task_definition_roles(call: Call) -> None:
    for member in ("executionRoleArn", "taskRoleArn"):
        arn = call.params.get(member)
        if not arn:
            continue
        role = iam_state.role_by_arn(call.account, arn)
        if role is None:
            if ROLE_VALID.enabled:
                raise AwsError("ClientException", "Role is not valid")
            continue
        if young(role):
            raise AwsError(
                "AccessDeniedException",
                f"User: {call.caller_arn()} is not authorized to perform: iam:PassRole on "
                f"resource: {role.arn}",
            )


def execution_role_problem(account_id: str, task_definition: Any) -> str | None:
    """Why ECS could not assume the task definition's execution role now, or None."""
    arn = getattr(task_definition, "execution_role_arn", None)
    if not arn:
        return None
    role = iam_state.role_by_arn(account_id, arn)
    if role is None:
        return unable_to_assume(arn) if ROLE_VALID.enabled else None
    if young(role):
        return unable_to_assume(arn)
    if ROLE_VALID.enabled and not iam_state.trusts_service(role, "ecs-tasks.amazonaws.com"):
        return unable_to_assume(arn)
    return None


@before("ecs", "RunTask")
def run_task_execution_role(call: Call) -> None:
    from moto.ecs.models import ecs_backends

    try:
        definition = ecs_backends[call.account][call.region].describe_task_definition(
            call.params.get("taskDefinition", "")
        )
    except Exception:
        return  # moto answers the unknown task definition itself
    problem = execution_role_problem(call.account, definition)
    if problem:
        raise AwsError("ClientException", problem)


@before("sts", "AssumeRole")
def assume_new_role(call: Call) -> None:
    arn = call.params.get("RoleArn", "")
    account = arn.split(":")[4] if arn.count(":") >= 5 else call.account
    role = iam_state.role_by_arn(account, arn)
    # A role that does not exist stays assumable: the tests isolate themselves in random
    # accounts that way (a deliberate leniency, see docs/aws-emulator.md).
    if role is not None and young(role):
        raise AwsError(
            "AccessDenied",
            f"User: {call.caller_arn()} is not authorized to perform: sts:AssumeRole on resource: {arn}",
            403,
        )

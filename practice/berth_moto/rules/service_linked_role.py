"""A new account has no ECS service-linked role; ECS refuses to work until it exists.

Whether an account "already has it" is a setting (``slr_accounts``, or per account with
``POST /berth-api/accounts/<id>``), so tests that are not about it can opt out quickly.
"""

from __future__ import annotations

from typing import Any

from moto.iam.models import IAMBackend

from .. import iam_state
from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before, patch
from ..settings import SETTINGS

SLR_MISSING = rule(
    "ecs.service-linked-role.required",
    'CreateCluster, CreateService and RunTask answer InvalidParameterException "Unable to assume '
    "the service linked role…\" while the account's AWSServiceRoleForECS is missing or younger "
    "than slr_propagation_s. CreateCluster creates the role as a side effect (as documented), so "
    "a rerun after the propagation delay succeeds (as reported)",
    "ecs:CreateCluster ecs:CreateService ecs:RunTask",
    "InvalidParameterException: Unable to assume the service linked role. Please verify that the "
    'ECS service linked role exists. (first run in a new account; "on a second deployment it '
    'worked"). API reference: When you call the CreateCluster API operation, Amazon ECS attempts '
    "to create the Amazon ECS service-linked role for your account.",
    "https://github.com/awslabs/fargatecli/issues/35",
    (
        "test_service_linked_role.py::test_new_account_cannot_create_service_or_run_task",
        "test_service_linked_role.py::test_first_create_cluster_fails_then_succeeds",
        "test_service_linked_role.py::test_create_service_linked_role_then_wait",
    ),
)
SLR_TAKEN = rule(
    "iam.service-linked-role.taken",
    'CreateServiceLinkedRole for a service whose role exists answers InvalidInput "Service role '
    'name … has been taken in this account"; the ECS role is named AWSServiceRoleForECS',
    "iam:CreateServiceLinkedRole",
    "InvalidInput: Service role name AWSServiceRoleForECS has been taken in this account, please "
    "try a different suffix.",
    "https://github.com/Rayraegah/terraform-aws-hasura/issues/17",
    "test_service_linked_role.py::test_create_service_linked_role_twice",
)

MESSAGE = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."


def _usable(account_id: str) -> bool:
    role = iam_state.ecs_slr(account_id)
    return role is not None and iam_state.age_s(role.create_date) >= SETTINGS.slr_propagation_s


@before("ecs", "CreateCluster CreateService RunTask")
def service_linked_role(call: Call) -> None:
    if not SLR_MISSING.enabled or _usable(call.account):
        return
    if call.action == "CreateCluster" and iam_state.ecs_slr(call.account) is None:
        iam_state.create_ecs_slr(call.account)
    raise AwsError("InvalidParameterException", MESSAGE)


@before("iam", "CreateServiceLinkedRole GetRole ListRoles")
def materialize_preexisting_role(call: Call) -> None:
    # An account set up as "already has the role" shows it in IAM too.
    iam_state.ecs_slr(call.account)


@patch(IAMBackend, "create_service_linked_role")
def create_service_linked_role(
    original: Any, self: IAMBackend, service_name: str, description: str, suffix: str
) -> Any:
    if not SLR_TAKEN.enabled:
        return original(self, service_name, description, suffix)
    if service_name == iam_state.ECS_SERVICE and not suffix:
        name = iam_state.ECS_SLR_NAME
    else:
        name = None
    existing = {role.name: role for role in self.get_roles()}
    if name is not None:
        if name in existing:
            raise _taken(name)
        return iam_state.create_ecs_slr(self.account_id)
    try:
        return original(self, service_name, description, suffix)
    except Exception as error:
        if "already exists" in str(error):
            taken = str(error).split("Role with name ", 1)[-1].split(" already", 1)[0]
            raise _taken(taken) from None
        raise


def _taken(name: str) -> AwsError:
    return AwsError(
        "InvalidInput",
        f"Service role name {name} has been taken in this account, please try a different suffix.",
    )

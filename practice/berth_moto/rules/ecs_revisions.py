"""ECS task definition revisions as a roll back sees them: who registered each and when, the
order and pages ListTaskDefinitions lists them in, and that a deregistered (INACTIVE) revision
cannot be deployed again. moto records neither date nor principal, ignores ``sort`` and
``maxResults``, and deploys INACTIVE revisions."""

from __future__ import annotations

import datetime
from typing import Any

from moto.ecs.models import EC2ContainerServiceBackend as Backend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before, current_call, patch

REF = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"

REGISTERED = rule(
    "ecs.task-definition.registered-at-and-by",
    "RegisterTaskDefinition records registeredAt (the time) and registeredBy (the calling "
    "principal's ARN: the IAM user, or the assumed role's session), and DescribeTaskDefinition "
    "answers both (moto answered neither)",
    "ecs:RegisterTaskDefinition ecs:DescribeTaskDefinition",
    "registeredAt: The Unix timestamp for the time when the task definition was registered. / "
    "registeredBy: The principal that registered the task definition.",
    f"{REF}/API_TaskDefinition.html",
    "test_ecs_revisions.py::test_a_revision_records_when_and_by_whom_it_was_registered",
)
LIST_ORDER = rule(
    "ecs.list-task-definitions.sort-and-pages",
    "ListTaskDefinitions lists by family name, then revision, ascending, or newest first with "
    "sort DESC, maxResults (default 100) at a time with a nextToken while more remain (moto "
    "ignored sort and maxResults and answered everything at once, in registration order)",
    "ecs:ListTaskDefinitions",
    "By default, (ASC) task definitions are listed lexicographically by family name and in "
    "ascending numerical order by revision so that the newest task definitions in a family are "
    "listed last. Setting this parameter to DESC reverses the sort order on family name and "
    "revision. / When this parameter is used, ListTaskDefinitions only returns maxResults results "
    "in a single page along with a nextToken response element. / If this parameter isn't used, "
    "then ListTaskDefinitions returns up to 100 results and a nextToken value if applicable.",
    f"{REF}/API_ListTaskDefinitions.html",
    "test_ecs_revisions.py::test_list_task_definitions_sorts_and_pages",
)
INACTIVE = rule(
    "ecs.task-definition.inactive-not-deployable",
    "CreateService, UpdateService and RunTask naming an INACTIVE (deregistered) revision answer "
    "InvalidParameterException 'TaskDefinition is inactive' (moto started it); a service that "
    "runs it may still change its desired count (moto's leniency kept there)",
    "ecs:CreateService ecs:UpdateService ecs:RunTask",
    "You can't use an INACTIVE task definition to run new tasks or create new services, and you "
    "can't update an existing service to reference an INACTIVE task definition. (Reported answer: "
    '"InvalidParameterException: TaskDefinition is inactive", '
    "https://github.com/DefangLabs/defang/pull/775)",
    f"{REF}/API_DeregisterTaskDefinition.html",
    "test_ecs_revisions.py::test_an_inactive_revision_cannot_be_deployed",
)


def principal_arn(call: Call | None) -> str | None:
    """The ARN of who sends the request: an assumed role's session, else the IAM user."""
    if call is None:
        return None
    from moto.sts.models import sts_backends

    try:
        assumed = sts_backends[call.account]["aws"].get_assumed_role_from_access_key(call.access_key)
    except Exception:
        assumed = None
    if assumed is not None:
        return assumed.arn
    return call.caller_arn()


# ------------------------------------------------------------ registeredAt and registeredBy
@patch(Backend, "register_task_definition")
def register_task_definition(original: Any, self: Backend, *args: Any, **kwargs: Any) -> Any:
    definition = original(self, *args, **kwargs)
    if REGISTERED.enabled:
        definition.registered_at = datetime.datetime.now(datetime.UTC)
        definition.registered_by = principal_arn(current_call())
    return definition


# ----------------------------------------------------------------- ListTaskDefinitions order
def _sort_key(arn: str) -> tuple[str, int]:
    family, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
    try:
        return family, int(revision)
    except ValueError:
        return family, 0


def _install_list_order() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse

    original = EC2ContainerServiceResponse.list_task_definitions

    def list_task_definitions(self: Any) -> Any:
        result = original(self)
        if not LIST_ORDER.enabled:
            return result
        arns = sorted(result.result.get("taskDefinitionArns") or [], key=_sort_key)
        if self._get_param("sort") == "DESC":
            arns.reverse()
        size = self._get_param("maxResults") or 100
        token = self._get_param("nextToken")
        try:
            start = int(token) if token else 0
        except ValueError as error:
            raise AwsError("InvalidParameterException", "Invalid nextToken.") from error
        page = arns[start : start + size]
        answer: dict[str, Any] = {"taskDefinitionArns": page}
        if start + size < len(arns):
            answer["nextToken"] = str(start + size)
        return ActionResult(answer)

    EC2ContainerServiceResponse.list_task_definitions = list_task_definitions


_install_list_order()


# ------------------------------------------------------------ INACTIVE revisions stay put
@before("ecs", "CreateService UpdateService RunTask")
def inactive_revision(call: Call) -> None:
    if not INACTIVE.enabled:
        return
    reference = call.params.get("taskDefinition")
    if not isinstance(reference, str) or ":" not in reference.rsplit("/", 1)[-1]:
        # A family alone means its newest ACTIVE revision: nothing INACTIVE is named.
        return
    from moto.ecs.models import ecs_backends

    try:
        definition = ecs_backends[call.account][call.region].describe_task_definition(reference)
    except Exception:
        return  # moto answers the unknown task definition itself
    if definition.status == "INACTIVE":
        raise AwsError("InvalidParameterException", "TaskDefinition is inactive")

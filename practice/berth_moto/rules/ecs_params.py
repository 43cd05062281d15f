"""ECS request parameters AWS refuses and moto accepts (API reference, per operation)."""

from __future__ import annotations

import re
from typing import Any

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before

REF = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _client(message: str) -> AwsError:
    return AwsError("ClientException", message)


# ----------------------------------------------------------------------------------- ListTasks
LIST_TASKS_STARTED_BY = rule(
    "ecs.list-tasks.started-by-alone",
    "ListTasks with startedBy and any other filter (family, serviceName, desiredStatus, "
    "containerInstance, launchType) answers InvalidParameterException",
    "ecs:ListTasks",
    "When you specify startedBy as the filter, it must be the only filter that you use.",
    f"{REF}/API_ListTasks.html",
    "test_ecs_params.py::test_list_tasks_started_by_must_be_alone",
)
LIST_TASKS_FAMILY_AND_SERVICE = rule(
    "ecs.list-tasks.family-or-service",
    "ListTasks with both family and serviceName answers InvalidParameterException",
    "ecs:ListTasks",
    "the AWS ListTasks API does not accept both filters at once (ecsta, when both --family and "
    "--service were given, had to split the request in two)",
    "https://github.com/fujiwara/ecsta/pull/119",
    "test_ecs_params.py::test_list_tasks_family_and_service_together",
)
_OTHER_FILTERS = ("family", "serviceName", "desiredStatus", "containerInstance", "launchType")


@before("ecs", "ListTasks")
def list_tasks_filters(call: Call) -> None:
    p = call.params
    if LIST_TASKS_STARTED_BY.enabled and p.get("startedBy"):
        others = [f for f in _OTHER_FILTERS if p.get(f)]
        if others:
            raise _invalid(
                "startedBy must be the only filter when it is specified; also given: " + ", ".join(others)
            )
    if LIST_TASKS_FAMILY_AND_SERVICE.enabled and p.get("family") and p.get("serviceName"):
        raise _invalid("family and serviceName cannot both be specified.")


# ------------------------------------------------------------------------- counts in one call
COUNTS = rule(
    "ecs.request-counts",
    "DescribeTasks takes at most 100 tasks, DescribeClusters 100 clusters, DescribeServices 10 "
    "services, RunTask count 1-10, List* maxResults 1-100",
    "ecs:DescribeTasks ecs:DescribeClusters ecs:DescribeServices ecs:RunTask ecs:ListTasks "
    "ecs:ListServices ecs:ListClusters ecs:ListTaskDefinitions",
    "A list of up to 100 task IDs or full ARN entries. / You may specify up to 10 services to "
    "describe in a single operation. / You can specify up to 10 tasks for each call. / This value "
    "can be between 1 and 100.",
    f"{REF}/API_DescribeTasks.html",
    (
        "test_ecs_params.py::test_describe_tasks_at_most_100",
        "test_ecs_params.py::test_describe_services_at_most_10",
        "test_ecs_params.py::test_run_task_count_at_most_10",
        "test_ecs_params.py::test_list_max_results_range",
    ),
)
_LIST_LIMITS = {
    "DescribeTasks": ("tasks", 100),
    "DescribeClusters": ("clusters", 100),
    "DescribeServices": ("services", 10),
}


@before("ecs", "DescribeTasks DescribeClusters DescribeServices")
def describe_counts(call: Call) -> None:
    if not COUNTS.enabled:
        return
    member, limit = _LIST_LIMITS[call.action]
    given = call.params.get(member) or []
    if len(given) > limit:
        noun = member.capitalize()
        raise _invalid(f"{noun} cannot contain more than {limit} items.")


@before("ecs", "RunTask")
def run_task_count(call: Call) -> None:
    if not COUNTS.enabled:
        return
    count = call.params.get("count", 1)
    if not isinstance(count, int) or not 1 <= count <= 10:
        raise _invalid("count must be between 1 and 10.")


@before("ecs", "ListTasks ListServices ListClusters ListTaskDefinitions")
def list_max_results(call: Call) -> None:
    if not COUNTS.enabled:
        return
    value = call.params.get("maxResults")
    if value is not None and not 1 <= value <= 100:
        raise _invalid("maxResults must be between 1 and 100.")


# ------------------------------------------------------------------------------------- names
NAMES = rule(
    "ecs.names",
    "Cluster, service, family and container names: up to 255 letters, numbers, underscores and "
    "hyphens; RunTask startedBy up to 128 of letters, numbers, - / _; StopTask reason up to 255",
    "ecs:CreateCluster ecs:CreateService ecs:RegisterTaskDefinition ecs:RunTask ecs:StopTask",
    "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed. "
    "/ Up to 128 letters (uppercase and lowercase), numbers, hyphens (-), forward slash (/), and "
    "underscores (_) are allowed.",
    f"{REF}/API_CreateCluster.html",
    (
        "test_ecs_params.py::test_cluster_name_characters",
        "test_ecs_params.py::test_service_and_family_names",
        "test_ecs_params.py::test_run_task_started_by_characters",
    ),
)
_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_STARTED_BY = re.compile(r"[A-Za-z0-9/_-]{1,128}")


def _name(kind: str, value: Any) -> None:
    if isinstance(value, str) and not _NAME.fullmatch(value):
        raise _invalid(
            f"{kind} name can only contain up to 255 letters (uppercase and lowercase), numbers, "
            "underscores, and hyphens."
        )


@before("ecs", "CreateCluster CreateService RegisterTaskDefinition RunTask StopTask")
def names(call: Call) -> None:
    if not NAMES.enabled:
        return
    p = call.params
    if call.action == "CreateCluster":
        _name("Cluster", p.get("clusterName"))
    elif call.action == "CreateService":
        _name("Service", p.get("serviceName"))
    elif call.action == "RegisterTaskDefinition":
        if isinstance(p.get("family"), str) and not _NAME.fullmatch(p["family"]):
            raise _client(
                "Family name can only contain up to 255 letters (uppercase and lowercase), "
                "numbers, underscores, and hyphens."
            )
        for container in p.get("containerDefinitions") or []:
            if isinstance(container.get("name"), str) and not _NAME.fullmatch(container["name"]):
                raise _client(
                    f"Container name '{container['name']}' can only contain up to 255 letters "
                    "(uppercase and lowercase), numbers, underscores, and hyphens."
                )
    elif call.action == "RunTask":
        started_by = p.get("startedBy")
        if started_by is not None and not _STARTED_BY.fullmatch(started_by):
            raise _invalid(
                "startedBy can only contain up to 128 letters (uppercase and lowercase), numbers, "
                "hyphens (-), forward slash (/), and underscores (_)."
            )
    elif call.action == "StopTask":
        reason = p.get("reason")
        if reason is not None and len(reason) > 255:
            raise _invalid("reason cannot be longer than 255 characters.")


TAG_PREFIX = rule(
    "ecs.tags.aws-prefix",
    "ECS tags whose key or value starts with aws: (any case) are refused",
    "ecs:CreateCluster ecs:CreateService ecs:RegisterTaskDefinition ecs:RunTask ecs:TagResource",
    "Do not use aws:, AWS:, or any upper or lowercase combination of such as a prefix for either "
    "keys or values as it is reserved for Amazon Web Services use.",
    f"{REF}/API_TagResource.html",
    "test_ecs_params.py::test_tags_with_aws_prefix",
)


@before("ecs", "CreateCluster CreateService RegisterTaskDefinition RunTask TagResource")
def tag_prefix(call: Call) -> None:
    if not TAG_PREFIX.enabled:
        return
    for tag in call.params.get("tags") or []:
        for part in (tag.get("key") or "", tag.get("value") or ""):
            if part.lower().startswith("aws:"):
                raise _invalid("Tag keys and values cannot start with the reserved prefix 'aws:'.")


# ------------------------------------------------------------------- RegisterTaskDefinition
FARGATE_SIZE = rule(
    "ecs.task-definition.fargate-size",
    "A FARGATE task definition needs task-level cpu and memory, as one of the valid pairs "
    "(FACTS.md table); an unreadable cpu is refused",
    "ecs:RegisterTaskDefinition",
    "If using the Fargate launch type, this field is required and you must use one of the "
    'following values. Reported answers: "ClientException: No Fargate configuration exists for '
    'given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values." '
    "and \"Fargate requires that 'cpu' be defined at the task level.\"",
    f"{REF}/API_RegisterTaskDefinition.html",
    (
        "test_ecs_params.py::test_fargate_cpu_memory_pairs",
        "test_ecs_params.py::test_fargate_needs_task_level_cpu",
    ),
)
FARGATE_AWSVPC = rule(
    "ecs.task-definition.fargate-awsvpc",
    "A FARGATE task definition must use networkMode awsvpc, and its hostPort, if given, must "
    "equal its containerPort",
    "ecs:RegisterTaskDefinition",
    "For Amazon ECS tasks on Fargate, the awsvpc network mode is required. / For task definitions "
    "that use the awsvpc network mode, only specify the containerPort. The hostPort can be left "
    "blank or it must be the same value as the containerPort.",
    f"{REF}/API_RegisterTaskDefinition.html",
    "test_ecs_params.py::test_fargate_network_mode_and_host_port",
)
FARGATE_AWSLOGS_ROLE = rule(
    "ecs.task-definition.awslogs-needs-execution-role",
    "A FARGATE task definition whose container logs with awslogs needs an executionRoleArn",
    "ecs:RegisterTaskDefinition",
    "ClientException: Fargate requires task definition to have execution role ARN to support log "
    "driver awslogs.",
    "https://github.com/virtual-kubelet/virtual-kubelet/issues/193",
    "test_ecs_params.py::test_fargate_awslogs_needs_execution_role",
)


def cpu_units(value: Any) -> int | None:
    """Task cpu as CPU units: "256", 256, "1 vCPU", "0.25 vcpu"."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"([0-9.]+)\s*vcpu", text)
    try:
        return int(float(match.group(1)) * 1024) if match else int(text)
    except ValueError:
        return None


def memory_mib(value: Any) -> int | None:
    """Task memory as MiB: "512", 512, "1GB", "2 gb"."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"([0-9.]+)\s*gb", text)
    try:
        return int(float(match.group(1)) * 1024) if match else int(text)
    except ValueError:
        return None


def fargate_pair_valid(cpu: int, memory: int) -> bool:
    gib = 1024
    if cpu == 256:
        return memory in (512, 1024, 2048)
    steps = {
        512: (1 * gib, 4 * gib, gib),
        1024: (2 * gib, 8 * gib, gib),
        2048: (4 * gib, 16 * gib, gib),
        4096: (8 * gib, 30 * gib, gib),
        8192: (16 * gib, 60 * gib, 4 * gib),
        16384: (32 * gib, 120 * gib, 8 * gib),
    }
    if cpu not in steps:
        return False
    low, high, step = steps[cpu]
    return low <= memory <= high and (memory - low) % step == 0


@before("ecs", "RegisterTaskDefinition")
def fargate_task_definition(call: Call) -> None:
    p = call.params
    if "FARGATE" not in (p.get("requiresCompatibilities") or []):
        return
    if FARGATE_SIZE.enabled:
        if p.get("cpu") in (None, ""):
            if p.get("cpu") == "":
                raise _invalid("Invalid 'cpu' setting for task.")
            raise _client("Fargate requires that 'cpu' be defined at the task level.")
        if p.get("memory") in (None, ""):
            raise _client("Fargate requires that 'memory' be defined at the task level.")
        cpu, memory = cpu_units(p["cpu"]), memory_mib(p["memory"])
        if cpu is None:
            raise _invalid("Invalid 'cpu' setting for task.")
        if memory is None:
            raise _invalid("Invalid 'memory' setting for task.")
        if not fargate_pair_valid(cpu, memory):
            raise _client(
                f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
                "See the Amazon ECS documentation for the valid values."
            )
    if FARGATE_AWSVPC.enabled:
        if p.get("networkMode") != "awsvpc":
            raise _client("Fargate only supports network mode 'awsvpc'.")
        for container in p.get("containerDefinitions") or []:
            for mapping in container.get("portMappings") or []:
                host, port = mapping.get("hostPort"), mapping.get("containerPort")
                if host not in (None, 0) and host != port:
                    raise _client(
                        "When networkMode=awsvpc, the host ports and container ports in port "
                        "mappings must match."
                    )
    if FARGATE_AWSLOGS_ROLE.enabled and not p.get("executionRoleArn"):
        for container in p.get("containerDefinitions") or []:
            if (container.get("logConfiguration") or {}).get("logDriver") == "awslogs":
                raise _client(
                    "Fargate requires task definition to have execution role ARN to support log "
                    "driver awslogs."
                )

"""ECS Express Mode (CreateExpressGatewayService and its kin), which moto 5.2.5 lacks.

A model built on moto's ECS state: an Express service is an ECS service (``resourceManagementType``
ECS) that this module creates with a task definition made from ``primaryContainer``, in the
default VPC's public subnets with a public IP, so the scheduler (services.py) really runs its
tasks and rolls its deployments. What the model adds is the Express record (kept on the moto
service object, so the state file keeps it): the infrastructure role, the service revisions, the
HTTPS ingress path and the status. The Application Load Balancer, its certificate, target group,
security groups, alarm and scaling policies that AWS creates with the infrastructure role are not
modelled: the URL is a name of the shape AWS gives (``https://<name>-<hex>.ecs.<region>.on.aws``)
that nothing answers locally; the tasks' own public IPs do.
"""

from __future__ import annotations

import copy
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.ecs.responses import EC2ContainerServiceResponse

from .. import iam_state
from ..catalog import rule
from ..errors import AwsError
from ..interceptor import current_call
from ..rules import iam_consistency
from ..rules.ecs_params import cpu_units, fargate_pair_valid, memory_mib
from . import services

API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"
ECS_PRINCIPAL = "ecs.amazonaws.com"
TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"

ROLES = rule(
    "ecs.express.roles",
    "CreateExpressGatewayService needs an infrastructureRoleArn that is a role of the account "
    "trusting ecs.amazonaws.com, and an executionRoleArn (with primaryContainer) that is a role "
    "trusting ecs-tasks.amazonaws.com; otherwise InvalidParameterException (the wording is the "
    "backend's own); a role created less than iam_propagation_s ago answers AccessDeniedException "
    "(not authorized to perform iam:PassRole), as for task definitions",
    "ecs:CreateExpressGatewayService ecs:UpdateExpressGatewayService",
    "infrastructureRoleArn: The Amazon Resource Name (ARN) of the infrastructure role that grants "
    "Amazon ECS permission to create and manage Amazon Web Services resources on your behalf for "
    "the Express service. / executionRoleArn: … This role is required for Amazon ECS to pull "
    "container images from Amazon ECR, send container logs to Amazon CloudWatch Logs … / (the "
    "infrastructure role's trust policy names the service principal ecs.amazonaws.com)",
    f"{API}/API_CreateExpressGatewayService.html",
    (
        "test_express.py::test_infrastructure_role_must_exist_and_trust_ecs",
        "test_express.py::test_execution_role_is_needed_with_a_primary_container",
        "test_express.py::test_new_role_cannot_be_passed_at_once",
    ),
)
PARAMETERS = rule(
    "ecs.express.parameters",
    "CreateExpressGatewayService needs primaryContainer (with an image) or taskDefinitionArn, not "
    "both, and with taskDefinitionArn none of executionRoleArn, taskRoleArn, cpu, memory, "
    "cpuArchitecture; cpu and memory (default 256 / 512) must be a Fargate pair; healthCheckPath "
    "starts with /; the service name has up to 255 letters, digits, _ and -; tags may not start "
    "with aws:",
    "ecs:CreateExpressGatewayService ecs:UpdateExpressGatewayService",
    "If you provide a task definition ARN, you cannot also specify primaryContainer, "
    "executionRoleArn, taskRoleArn, cpu, memory, or cpuArchitecture. / The default value for an "
    "Express service is 256 (.25 vCPU). / The default value for an express service is 512 MiB. / "
    "The health check path must start with a forward slash",
    f"{API}/API_CreateExpressGatewayService.html",
    (
        "test_express.py::test_container_or_task_definition",
        "test_express.py::test_size_and_health_check_path",
    ),
)
LIFECYCLE = rule(
    "ecs.express.lifecycle",
    "UpdateExpressGatewayService makes a new service revision and a new deployment of the ECS "
    "service behind it (IN_PROGRESS, then COMPLETED as the new revision's tasks run); after "
    "DeleteExpressGatewayService the service is DRAINING, then INACTIVE, and Update or Delete of a "
    "service that is not ACTIVE answers ServiceNotActiveException (without the rule: the old "
    "deployment is edited in place, and a deleted service can be updated)",
    "ecs:UpdateExpressGatewayService ecs:DeleteExpressGatewayService ecs:DescribeServices",
    "Amazon ECS creates a new service revision with updated configuration and performs a rolling "
    "deployment to replace existing tasks. / The service enters a DRAINING state where existing "
    "tasks complete current requests without starting new tasks. After all tasks stop, the service "
    "and infrastructure are permanently removed.",
    f"{API}/API_UpdateExpressGatewayService.html",
    (
        "test_express.py::test_update_rolls_a_new_revision",
        "test_express.py::test_delete_drains_then_inactive",
    ),
)

_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")
_TD_ONLY_EXCLUDES = ("primaryContainer", "executionRoleArn", "taskRoleArn", "cpu", "memory", "cpuArchitecture")


@dataclass
class Express:
    """What ECS keeps about an Express service beyond its ECS service."""

    infrastructure_role_arn: str
    endpoint: str
    revisions: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    created_at: Any = None
    updated_at: Any = None


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _params() -> dict[str, Any]:
    call = current_call()
    return call.params if call else {}


# ------------------------------------------------------------------------------ checks
def _check_role(account: str, caller: str, arn: Any, principal: str, what: str) -> None:
    if not isinstance(arn, str) or not arn:
        raise _invalid(f"{what} must be provided.")
    role = iam_state.role_by_arn(account, arn)
    if role is None or not iam_state.trusts_service(role, principal):
        raise _invalid(
            f"Unable to assume the {what} '{arn}'. Verify that the role exists and that its trust "
            f"policy allows {principal} to assume it."
        )
    if iam_consistency.young(role):
        raise AwsError(
            "AccessDeniedException",
            f"User: {caller} is not authorized to perform: iam:PassRole on resource: {role.arn}",
        )


def _check_roles(account: str, caller: str, p: dict[str, Any], creating: bool) -> None:
    if not ROLES.enabled:
        return
    if creating:
        _check_role(account, caller, p.get("infrastructureRoleArn"), ECS_PRINCIPAL, "infrastructure role")
    if p.get("primaryContainer") and (creating or p.get("executionRoleArn")):
        _check_role(account, caller, p.get("executionRoleArn"), TASKS_PRINCIPAL, "execution role")
    if p.get("taskRoleArn"):
        _check_role(account, caller, p["taskRoleArn"], TASKS_PRINCIPAL, "task role")


def _size(p: dict[str, Any], current: dict[str, Any] | None) -> tuple[str, str]:
    cpu = str(p.get("cpu") or (current or {}).get("cpu") or "256")
    memory = str(p.get("memory") or (current or {}).get("memory") or "512")
    if PARAMETERS.enabled:
        units, mib = cpu_units(cpu), memory_mib(memory)
        if units is None or mib is None or not fargate_pair_valid(units, mib):
            raise AwsError(
                "ClientException",
                f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
                "See the Amazon ECS documentation for the valid values.",
            )
    return cpu, memory


def _check_parameters(p: dict[str, Any], creating: bool) -> None:
    if not PARAMETERS.enabled:
        return
    if p.get("taskDefinitionArn"):
        given = [m for m in _TD_ONLY_EXCLUDES if p.get(m)]
        if given:
            raise _invalid(f"You cannot specify {', '.join(given)} together with taskDefinitionArn.")
    elif creating and not p.get("primaryContainer"):
        raise _invalid("Either primaryContainer or taskDefinitionArn must be provided.")
    container = p.get("primaryContainer")
    if container is not None and not container.get("image"):
        raise _invalid("primaryContainer.image must be provided.")
    path = p.get("healthCheckPath")
    if path is not None and not str(path).startswith("/"):
        raise _invalid("The health check path must start with a forward slash.")
    name = p.get("serviceName")
    if name is not None and not _NAME.fullmatch(str(name)):
        raise _invalid(
            "Service name can only contain up to 255 letters (uppercase and lowercase), numbers, "
            "underscores, and hyphens."
        )
    for tag in p.get("tags") or []:
        for part in (tag.get("key") or "", tag.get("value") or ""):
            if part.lower().startswith("aws:"):
                raise _invalid("Tag keys and values cannot start with the reserved prefix 'aws:'.")


# ------------------------------------------------------------------------------ building
def _default_network(backend: Any) -> dict[str, Any]:
    """The default VPC's default subnets, with a public IP: where Express puts the tasks."""
    ec2 = ec2_backends[backend.account_id][backend.region_name]
    vpc = ec2.get_default_vpc()
    if vpc is None:
        raise _invalid("No default VPC exists; provide networkConfiguration with subnets.")
    subnets = [s.id for s in ec2.describe_subnets(filters={"vpc-id": [vpc.id], "default-for-az": ["true"]})]
    group = ec2.get_security_group_from_name("default", vpc_id=vpc.id)
    return {
        "awsvpcConfiguration": {
            "subnets": subnets[:3],
            "securityGroups": [group.id] if group is not None else [],
            "assignPublicIp": "ENABLED",
        }
    }


def _network(backend: Any, given: dict[str, Any] | None) -> dict[str, Any]:
    if not given or not given.get("subnets"):
        network = _default_network(backend)
        if given and given.get("securityGroups"):
            network["awsvpcConfiguration"]["securityGroups"] = list(given["securityGroups"])
        return network
    return {
        "awsvpcConfiguration": {
            "subnets": list(given["subnets"]),
            "securityGroups": list(given.get("securityGroups") or []),
            "assignPublicIp": "ENABLED",
        }
    }


def _log_group(backend: Any, cluster: str, name: str, container: dict[str, Any]) -> tuple[str, str]:
    from moto.logs.models import logs_backends

    given = container.get("awsLogsConfiguration") or {}
    group = given.get("logGroup") or f"/aws/ecs/{cluster}/{name}"
    prefix = given.get("logStreamPrefix") or "ecs"
    logs = logs_backends[backend.account_id][backend.region_name]
    if group not in logs.groups:  # Express creates the log group itself
        logs.create_log_group(group, {})
    return group, prefix


def _task_definition(
    backend: Any, cluster: str, name: str, p: dict[str, Any], current: dict[str, Any] | None
) -> Any:
    if p.get("taskDefinitionArn"):
        definition = backend.describe_task_definition(p["taskDefinitionArn"])
        mains = [c for c in definition.container_definitions if c.get("name") == "Main"]
        if PARAMETERS.enabled and (
            not mains or len(mains[0].get("portMappings") or []) != 1 or "FARGATE" not in definition.compatibilities
        ):
            raise _invalid(
                "The task definition must have a container named Main with a single TCP port "
                "mapping and FARGATE compatibility."
            )
        return definition
    merged = {**(current or {}), **{k: v for k, v in p.items() if v is not None}}
    container = copy.deepcopy(merged.get("primaryContainer") or {})
    cpu, memory = _size(p, current)
    port = int(container.get("containerPort") or 80)
    group, prefix = _log_group(backend, cluster, name, container)
    definition: dict[str, Any] = {
        "name": "Main",
        "image": container["image"],
        "essential": True,
        "portMappings": [{"containerPort": port, "protocol": "tcp", "name": "main"}],
        "environment": container.get("environment") or [],
        "secrets": container.get("secrets") or [],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": group,
                "awslogs-region": backend.region_name,
                "awslogs-stream-prefix": prefix,
            },
        },
    }
    if container.get("command"):
        definition["command"] = list(container["command"])
    if not definition["secrets"]:
        del definition["secrets"]
    architecture = merged.get("cpuArchitecture") or "X86_64"
    return backend.register_task_definition(
        family=f"{cluster}-{name}",
        container_definitions=[definition],
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        cpu=cpu,
        memory=memory,
        task_role_arn=merged.get("taskRoleArn"),
        execution_role_arn=merged.get("executionRoleArn"),
        runtime_platform={"cpuArchitecture": architecture, "operatingSystemFamily": "LINUX"},
    )


def _revision(service: Any, definition: Any, p: dict[str, Any], express: Express | None) -> dict[str, Any]:
    previous = express.revisions[0] if express and express.revisions else {}
    number = len(express.revisions) + 1 if express else 1
    container = p.get("primaryContainer") or previous.get("primaryContainer")
    revision = {
        "serviceRevisionArn": (
            f"arn:aws:ecs:{service.region_name}:{service._account_id}:service-revision/"
            f"{service.cluster_name}/{service.name}/{number:019d}"
        ),
        "executionRoleArn": getattr(definition, "execution_role_arn", None),
        "taskRoleArn": getattr(definition, "task_role_arn", None),
        "taskDefinitionArn": definition.arn,
        "cpu": getattr(definition, "cpu", None),
        "memory": getattr(definition, "memory", None),
        "cpuArchitecture": (getattr(definition, "runtime_platform", None) or {}).get("cpuArchitecture", "X86_64"),
        "networkConfiguration": {
            "subnets": service.network_configuration["awsvpcConfiguration"]["subnets"],
            "securityGroups": service.network_configuration["awsvpcConfiguration"]["securityGroups"],
        },
        "healthCheckPath": p.get("healthCheckPath") or previous.get("healthCheckPath") or "/ping",
        "scalingTarget": p.get("scalingTarget") or previous.get("scalingTarget") or {"minTaskCount": 1, "maxTaskCount": 1},
        "ingressPaths": [{"accessType": "PUBLIC", "endpoint": express.endpoint if express else ""}],
        "createdAt": utcnow(),
    }
    if container is not None:
        revision["primaryContainer"] = container
    return revision


def _express_of(backend: Any, arn: Any, not_found: str) -> tuple[Any, Express]:
    if not isinstance(arn, str) or not arn:
        raise _invalid("serviceArn must be provided.")
    for service in backend.services.values():
        if service.arn == arn and getattr(service, "express", None) is not None:
            return service, service.express
    if not_found == "ResourceNotFoundException":
        raise AwsError(not_found, "The specified Express service was not found.")
    raise AwsError(not_found, "Service not found.")


def _status(service: Any) -> dict[str, str]:
    return {"statusCode": service.status}


def _view(service: Any, express: Express, with_tags: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {
        "cluster": service.cluster_arn,
        "serviceName": service.name,
        "serviceArn": service.arn,
        "infrastructureRoleArn": express.infrastructure_role_arn,
        "status": _status(service),
        "currentDeployment": express.revisions[0]["serviceRevisionArn"] if express.revisions else None,
        "activeConfigurations": [copy.deepcopy(express.revisions[0])] if service.status == "ACTIVE" else [],
        "createdAt": express.created_at,
        "updatedAt": express.updated_at,
    }
    if with_tags:
        view["tags"] = copy.deepcopy(express.tags)
    return view


# ------------------------------------------------------------------------------ operations
def create_express_gateway_service(self: EC2ContainerServiceResponse) -> Any:
    from moto.core.responses import ActionResult

    call = current_call()
    p = _params()
    backend = self.ecs_backend
    _check_parameters(p, creating=True)
    _check_roles(backend.account_id, call.caller_arn() if call else "", p, creating=True)
    if not p.get("cluster") and "default" not in backend.clusters:
        # "If you do not specify a cluster, the default cluster is assumed": Express makes it
        # (a named cluster that does not exist is ClusterNotFoundException, as moto answers).
        backend.create_cluster("default")
    cluster = backend._get_cluster(p.get("cluster") or "default")
    if cluster.status != "ACTIVE":
        raise AwsError("ClusterNotFoundException", "The referenced cluster was inactive.")
    name = p.get("serviceName") or f"express-{secrets.token_hex(6)}"
    existing = backend.services.get(f"{cluster.name}:{name}")
    if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
        # As CreateService answers (rule ecs.service.draining, in patches.py).
        raise _invalid("Creation of service was not idempotent.")
    definition = _task_definition(backend, cluster.name, name, p, None)
    scaling = p.get("scalingTarget") or {}
    tags = copy.deepcopy(p.get("tags") or [])
    service = backend.create_service(
        cluster.name,
        name,
        int(scaling.get("minTaskCount") or 1),
        definition.arn,
        tags=copy.deepcopy(tags),
        launch_type="FARGATE",
        propagate_tags="SERVICE",
        network_configuration=_network(backend, p.get("networkConfiguration")),
    )
    service.resource_management_type = "ECS"
    now = utcnow()
    # AWS's names look like <service>-<32 hex>.ecs.<region>.on.aws (the URL the console shows).
    endpoint = f"https://{name.lower()[:30]}-{secrets.token_hex(16)}.ecs.{backend.region_name}.on.aws"
    express = Express(p["infrastructureRoleArn"], endpoint, tags=tags, created_at=now, updated_at=now)
    express.revisions.insert(0, _revision(service, definition, p, express))
    service.express = express
    services.event(service, "Express service created; provisioning the load balancer and tasks.")
    return ActionResult({"service": _view(service, express)})


def describe_express_gateway_service(self: EC2ContainerServiceResponse) -> Any:
    from moto.core.responses import ActionResult

    p = _params()
    service, express = _express_of(self.ecs_backend, p.get("serviceArn"), "ResourceNotFoundException")
    return ActionResult({"service": _view(service, express, with_tags="TAGS" in (p.get("include") or []))})


def update_express_gateway_service(self: EC2ContainerServiceResponse) -> Any:
    from moto.core.responses import ActionResult

    call = current_call()
    p = _params()
    backend = self.ecs_backend
    service, express = _express_of(backend, p.get("serviceArn"), "ServiceNotFoundException")
    if service.status != "ACTIVE" and LIFECYCLE.enabled:
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    _check_parameters(p, creating=False)
    _check_roles(backend.account_id, call.caller_arn() if call else "", p, creating=False)
    current = dict(express.revisions[0]) if express.revisions else {}
    if p.get("primaryContainer"):
        # Members left out of primaryContainer keep their values, as for the other members.
        p = {**p, "primaryContainer": {**(current.get("primaryContainer") or {}), **p["primaryContainer"]}}
    definition = _task_definition(backend, service.cluster_name, service.name, p, current)
    if p.get("networkConfiguration"):
        service.network_configuration = _network(backend, p["networkConfiguration"])
    scaling = p.get("scalingTarget") or {}
    if scaling.get("minTaskCount") is not None:
        service.desired_count = int(scaling["minTaskCount"])
    service.task_definition = definition.arn
    express.revisions.insert(0, _revision(service, definition, p, express))
    del express.revisions[10:]
    express.updated_at = utcnow()
    if LIFECYCLE.enabled:
        services.new_deployment(service)
    else:
        service.deployments[0]["taskDefinition"] = definition.arn
    view = {
        "serviceArn": service.arn,
        "cluster": service.cluster_arn,
        "serviceName": service.name,
        "status": _status(service),
        "targetConfiguration": copy.deepcopy(express.revisions[0]),
        "createdAt": express.created_at,
        "updatedAt": express.updated_at,
    }
    return ActionResult({"service": view})


def delete_express_gateway_service(self: EC2ContainerServiceResponse) -> Any:
    from moto.core.responses import ActionResult

    p = _params()
    service, express = _express_of(self.ecs_backend, p.get("serviceArn"), "ServiceNotFoundException")
    if service.status != "ACTIVE" and LIFECYCLE.enabled:
        raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    service.desired_count = 0
    service.deployments[0]["desiredCount"] = 0
    services.start_draining(service)
    express.updated_at = utcnow()
    return ActionResult({"service": _view(service, express)})


for _operation in (
    create_express_gateway_service,
    describe_express_gateway_service,
    update_express_gateway_service,
    delete_express_gateway_service,
):
    setattr(EC2ContainerServiceResponse, _operation.__name__, _operation)

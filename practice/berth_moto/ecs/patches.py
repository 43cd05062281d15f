"""moto's ECS backend methods, replaced or wrapped so that clusters, services and tasks behave as
ECS's do (the rules they enforce are declared in tasks.py and services.py, and here)."""

from __future__ import annotations

import copy
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecs.exceptions import ServiceNotFoundException
from moto.ecs.models import EC2ContainerServiceBackend as Backend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import current_call, patch
from . import services, tasks
from . import express  # noqa: F401  (Express Mode, a model on these services)

API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"

CLUSTER_IN_USE = rule(
    "ecs.cluster.delete-in-use",
    "DeleteCluster answers ClusterContainsServicesException while an ACTIVE or DRAINING service is "
    "in it and ClusterContainsTasksException while a task has not stopped; ListClusters omits "
    "INACTIVE clusters; RunTask/CreateService/UpdateService in an INACTIVE cluster answer "
    "ClusterNotFoundException",
    "ecs:DeleteCluster ecs:ListClusters ecs:RunTask ecs:CreateService",
    "ClusterContainsServicesException: You can't delete a cluster that contains services. First, "
    "update the service to reduce its desired task count to 0, and then delete the service. / "
    "ClusterContainsTasksException: You can't delete a cluster that has active tasks.",
    f"{API}/API_DeleteCluster.html",
    (
        "test_clusters.py::test_delete_cluster_with_service",
        "test_clusters.py::test_delete_cluster_with_running_task",
        "test_clusters.py::test_inactive_cluster_is_not_listed_nor_usable",
    ),
)
NETWORK = rule(
    "ecs.network-configuration",
    "An awsvpc task definition needs networkConfiguration on CreateService (as on RunTask); at "
    "most 16 subnets and 5 security groups; without securityGroups the VPC's default group is used "
    "(moto answered 500); a FARGATE launch needs a task definition compatible with FARGATE",
    "ecs:CreateService ecs:RunTask ecs:UpdateService",
    "This parameter is required for task definitions that use the awsvpc network mode to receive "
    "their own elastic network interface / There's a limit of 16 subnets that can be specified. / "
    "There's a limit of 5 security groups that can be specified. / If you don't specify a "
    "security group, the default security group for the VPC is used.",
    f"{API}/API_AwsVpcConfiguration.html",
    (
        "test_ecs_params.py::test_create_service_needs_network_configuration",
        "test_ecs_params.py::test_subnet_and_group_limits",
        "test_ecs_params.py::test_default_security_group_is_used",
        "test_ecs_params.py::test_launch_type_must_be_compatible",
    ),
)
STOP_UNKNOWN = rule(
    "ecs.stop-task.unknown",
    "StopTask of a task that does not exist answers InvalidParameterException (moto: HTTP 500)",
    "ecs:StopTask",
    "An error occurred (InvalidParameterException) when calling the StopTask operation: The "
    "referenced task was not found (reported)",
    "https://github.com/griptape-ai/griptape-nodes-engine/issues/1454",
    "test_task_lifecycle.py::test_stop_unknown_task",
)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def _active_cluster(backend: Backend, cluster_str: str) -> Any:
    cluster = backend._get_cluster(cluster_str)
    if CLUSTER_IN_USE.enabled and cluster.status != "ACTIVE":
        raise AwsError("ClusterNotFoundException", "The referenced cluster was inactive.")
    return cluster


def _network(backend: Backend, configuration: dict[str, Any] | None) -> dict[str, Any] | None:
    """Check an awsvpcConfiguration and fill in the VPC's default security group."""
    if not configuration:
        return configuration
    configuration = copy.deepcopy(configuration)
    awsvpc = configuration.get("awsvpcConfiguration") or {}
    subnets = awsvpc.get("subnets") or []
    if NETWORK.enabled:
        if len(subnets) > 16:
            raise _invalid("There's a limit of 16 subnets that can be specified.")
        if len(awsvpc.get("securityGroups") or []) > 5:
            raise _invalid("There's a limit of 5 security groups that can be specified.")
    if not awsvpc.get("securityGroups") and subnets and NETWORK.enabled:
        ec2 = ec2_backends[backend.account_id][backend.region_name]
        try:
            vpc_id = ec2.get_subnet(subnets[0]).vpc_id
        except Exception:
            return configuration  # moto reports the unknown subnet
        default = ec2.get_security_group_from_name("default", vpc_id=vpc_id)
        if default is not None:
            awsvpc["securityGroups"] = [default.id]
    return configuration


def _check_launch(
    backend: Backend, definition: Any, launch_type: str | None, network: dict[str, Any] | None
) -> None:
    if not NETWORK.enabled:
        return
    if launch_type == "FARGATE" and "FARGATE" not in (definition.compatibilities or []):
        raise _invalid("Task definition does not support launch_type FARGATE.")
    if definition.network_mode == "awsvpc" and not network:
        raise _invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.")


# ----------------------------------------------------------------------------------- tasks
@patch(Backend, "run_task")
def run_task(
    original: Any,
    self: Backend,
    cluster_str: str,
    task_definition_str: str,
    count: int,
    overrides: Any,
    started_by: str,
    tags: Any,
    launch_type: str | None,
    networking_configuration: Any = None,
    group: str | None = None,
    platform_version: str | None = None,
    capacity_provider_strategy: Any = None,
) -> list[Any]:
    _active_cluster(self, cluster_str)
    definition = self.describe_task_definition(task_definition_str)
    network = _network(self, networking_configuration)
    _check_launch(self, definition, launch_type, network)
    created = []
    subnets = ((network or {}).get("awsvpcConfiguration") or {}).get("subnets") or []
    for index in range(count):
        rotated = network
        if len(subnets) > 1:  # spread tasks over the subnets, as ECS spreads them over AZs
            rotated = copy.deepcopy(network)
            shift = index % len(subnets)
            rotated["awsvpcConfiguration"]["subnets"] = subnets[shift:] + subnets[:shift]
        made = original(
            self,
            cluster_str,
            task_definition_str,
            1,
            overrides,
            started_by,
            tags,
            launch_type,
            rotated,
            group,
            platform_version,
            capacity_provider_strategy,
        )
        for task in made:
            task.network_configuration = rotated
            tasks.adopt(self, task, self.account_id, self.region_name)
        created += made
    return created


@patch(Backend, "stop_task")
def stop_task(original: Any, self: Backend, cluster_str: str, task_str: str, reason: str | None) -> Any:
    cluster = self._get_cluster(cluster_str)
    task_id = task_str.split("/")[-1]
    for arn, task in (self.tasks.get(cluster.name) or {}).items():
        if arn.endswith(task_id):
            runtime = tasks.RUNTIMES.get(arn)
            if runtime is None:
                return task  # stopped long ago: StopTask leaves it as it is
            tasks.request_stop(runtime, reason or "Task stopped by user", "UserInitiated")
            return task
    if STOP_UNKNOWN.enabled:
        raise _invalid("The referenced task was not found")
    return original(self, cluster_str, task_str, reason)


@patch(Backend, "list_tasks")
def list_tasks(
    original: Any,
    self: Backend,
    cluster_str: str | None = None,
    container_instance: str | None = None,
    family: str | None = None,
    started_by: str | None = None,
    service_name: str | None = None,
    desiredStatus: str | None = None,
) -> list[Any]:
    if not tasks.LIFECYCLE.enabled:
        return original(
            self, cluster_str, container_instance, family, started_by, service_name, desiredStatus
        )
    cluster = self._get_cluster(cluster_str or "default")
    found = list((self.tasks.get(cluster.name) or {}).values())
    desired = desiredStatus or "RUNNING"  # "The default status filter is RUNNING"
    found = [t for t in found if t.desired_status == desired]
    if family:
        found = [t for t in found if t.task_definition_arn.split("/")[-1].rsplit(":", 1)[0] == family]
    if started_by:
        found = [t for t in found if t.started_by == started_by]
    if service_name:
        name = service_name.split("/")[-1]
        found = [t for t in found if t.group == f"service:{name}"]
    return found


# -------------------------------------------------------------------------------- clusters
@patch(Backend, "delete_cluster")
def delete_cluster(original: Any, self: Backend, cluster_str: str) -> Any:
    cluster = self._get_cluster(cluster_str)
    if CLUSTER_IN_USE.enabled:
        for service in self.services.values():
            if service.cluster_name == cluster.name and service.status in ("ACTIVE", "DRAINING"):
                raise AwsError(
                    "ClusterContainsServicesException",
                    "The Cluster cannot be deleted while Services are active.",
                )
        for task in (self.tasks.get(cluster.name) or {}).values():
            if task._status != "STOPPED":
                raise AwsError(
                    "ClusterContainsTasksException",
                    "The Cluster cannot be deleted while Tasks are active.",
                )
    return original(self, cluster_str)


@patch(Backend, "list_clusters")
def list_clusters(original: Any, self: Backend) -> list[str]:
    if not CLUSTER_IN_USE.enabled:
        return original(self)
    return [c.arn for c in self.clusters.values() if c.status == "ACTIVE"]


@patch(Backend, "describe_clusters")
def describe_clusters(original: Any, self: Backend, cluster_names: list[str]) -> Any:
    found, failures = original(self, cluster_names)
    for cluster in found:  # counts from the real services and tasks
        cluster_tasks = (self.tasks.get(cluster.name) or {}).values()
        cluster.running_tasks_count = sum(1 for t in cluster_tasks if t._status == "RUNNING")
        cluster.pending_tasks_count = sum(
            1 for t in cluster_tasks if t._status in ("PROVISIONING", "PENDING")
        )
        cluster.active_services_count = sum(
            1 for s in self.services.values() if s.cluster_name == cluster.name and s.status == "ACTIVE"
        )
    return found, failures


# -------------------------------------------------------------------------------- services
@patch(Backend, "create_service")
def create_service(
    original: Any,
    self: Backend,
    cluster_str: str,
    service_name: str,
    desired_count: int | None,
    task_definition_str: str | None = None,
    *args: Any,
    **kwargs: Any,
) -> Any:
    cluster = _active_cluster(self, cluster_str)
    existing = self.services.get(f"{cluster.name}:{service_name}")
    if existing is not None and services.DRAINING.enabled:
        if existing.status == "DRAINING":
            raise _invalid("Unable to Start a service that is still Draining.")
        if existing.status == "ACTIVE":
            raise _invalid("Creation of service was not idempotent.")
    call = current_call()
    params = call.params if call else {}
    network = _network(self, kwargs.get("network_configuration"))
    kwargs["network_configuration"] = network
    if task_definition_str:
        definition = self.describe_task_definition(task_definition_str)
        _check_launch(self, definition, kwargs.get("launch_type") or params.get("launchType"), network)
    service = original(self, cluster_str, service_name, desired_count, task_definition_str, *args, **kwargs)
    if existing is not None:  # an INACTIVE one of the same name: a new service replaces it
        services.SERVICES.pop(services._key(existing), None)
    services.adopt(self, service, self.account_id, self.region_name, params.get("deploymentConfiguration"))
    return service


@patch(Backend, "update_service")
def update_service(original: Any, self: Backend, service_properties: dict[str, Any]) -> Any:
    cluster_str = service_properties.get("cluster") or "default"
    name = service_properties["service"].split("/")[-1]
    service = self._get_service(cluster_str, name)
    rt = services.runtime_of(service)
    if rt is None:
        return original(self, service_properties)
    if service.status != "ACTIVE":
        if services.DRAINING.enabled:
            raise AwsError("ServiceNotActiveException", "Service was not ACTIVE.")
    _active_cluster(self, cluster_str)
    call = current_call()
    params = call.params if call else {}
    changed = False
    if params.get("taskDefinition"):
        definition = self.describe_task_definition(params["taskDefinition"])
        _check_launch(self, definition, service.launch_type, service.network_configuration)
        if definition.arn != service.task_definition:
            service.task_definition = definition.arn
            changed = True
    if params.get("networkConfiguration"):
        service.network_configuration = service._validate_network(
            _network(self, params["networkConfiguration"])
        )
        changed = True
    if params.get("forceNewDeployment"):
        changed = True
    if params.get("deploymentConfiguration"):
        service.deployment_configuration = services.deployment_configuration(
            params["deploymentConfiguration"], service.deployment_configuration
        )
    if params.get("desiredCount") is not None:
        service.desired_count = params["desiredCount"]
    if changed and services.ROLLOUT.enabled:
        services.new_deployment(service)
    elif changed:
        service.deployments[0]["taskDefinition"] = service.task_definition
    return service


@patch(Backend, "delete_service")
def delete_service(original: Any, self: Backend, cluster_name: str, service_name: str, force: bool) -> Any:
    service = self._get_service(cluster_name, service_name)
    rt = services.runtime_of(service)
    if rt is None or not services.DRAINING.enabled:
        return original(self, cluster_name, service_name, force)
    if service.status == "DRAINING":
        return service
    if service.status == "INACTIVE":
        raise ServiceNotFoundException()
    if service.desired_count > 0 and not force:
        raise _invalid("The service cannot be stopped while it is scaled above 0.")
    service.desired_count = 0
    service.deployments[0]["desiredCount"] = 0
    services.start_draining(service)
    return service


@patch(Backend, "list_services")
def list_services(
    original: Any,
    self: Backend,
    cluster_str: str,
    scheduling_strategy: str | None = None,
    launch_type: str | None = None,
) -> list[str]:
    arns = original(self, cluster_str, scheduling_strategy, launch_type)
    if not services.DRAINING.enabled:
        return arns
    active = {s.arn for s in self.services.values() if s.status == "ACTIVE"}
    return [a for a in arns if a in active]


def start_service_tasks(rt: services.ServiceRuntime, deployment: dict[str, Any], count: int) -> list[Any]:
    """The scheduler's RunTask for a service (no request, so no request checks)."""
    service = rt.service
    started = rt.backend.run_task(
        service.cluster_name,
        deployment["taskDefinition"],
        count,
        None,
        deployment["id"],
        copy.deepcopy(service.tags) if service.propagate_tags == "SERVICE" else [],
        service.launch_type,
        deployment.get("networkConfiguration") or service.network_configuration,
        f"service:{service.name}",
        None,
        None,
    )
    for task in started:
        rt.task_arns.append(task.task_arn)
        runtime = tasks.RUNTIMES.get(task.task_arn)
        if runtime is not None:
            runtime.on_stopped.append(lambda r, rt=rt: services.on_task_stopped(rt, r))
    return started


def _resource_requirements(task_definition: Any) -> dict[str, Any]:
    """moto's own sum, with container memory optional (Fargate takes it from the task; moto
    added None and answered RunTask with HTTP 500)."""
    requirements: dict[str, Any] = {"CPU": 0, "MEMORY": 0, "PORTS": [], "PORTS_UDP": []}
    for container in task_definition.container_definitions:
        requirements["CPU"] += container.get("cpu", 0) or 0
        requirements["MEMORY"] += container.get("memory") or container.get("memoryReservation") or 0
        for mapping in container.get("portMappings") or []:
            if mapping.get("hostPort"):
                requirements["PORTS"].append(mapping["hostPort"])
    return requirements


Backend._calculate_task_resource_requirements = staticmethod(_resource_requirements)


DESCRIBE_TASKS = rule(
    "ecs.describe-tasks.cluster-and-missing",
    "DescribeTasks finds tasks of the given cluster only, by exact id or ARN, and reports the "
    "others in failures with reason MISSING (moto matched any task of any cluster whose id is a "
    "substring of a requested string, and never reported failures)",
    "ecs:DescribeTasks",
    "cluster: The short name or full Amazon Resource Name (ARN) of the cluster that hosts the task "
    "or tasks to describe. / failures: Any failures associated with the call.",
    f"{API}/API_DescribeTasks.html",
    "test_task_lifecycle.py::test_describe_tasks_of_another_cluster_is_missing",
)


def _install_describe_tasks() -> None:
    from moto.ecs.responses import EC2ContainerServiceResponse

    original = EC2ContainerServiceResponse.describe_tasks

    def describe_tasks(self: Any) -> Any:
        if not DESCRIBE_TASKS.enabled:
            return original(self)
        result = original(self)  # moto's checks (cluster exists, tasks not empty) and tag handling
        backend = self.ecs_backend
        cluster = backend._get_cluster(self._get_param("cluster", "default"))
        wanted = self._get_param("tasks", [])
        mine = backend.tasks.get(cluster.name) or {}
        found, failures = [], []
        for ref in wanted:
            task = next((t for arn, t in mine.items() if ref in (arn, t.id)), None)
            if task is None:
                arn = (
                    ref
                    if ref.startswith("arn:")
                    else f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{cluster.name}/{ref}"
                )
                failures.append({"arn": arn, "reason": "MISSING"})
            elif task not in found:
                found.append(task)
        result.result["tasks"] = found
        result.result["failures"] = failures
        return result

    EC2ContainerServiceResponse.describe_tasks = describe_tasks


_install_describe_tasks()

"""Task lifecycle: PROVISIONING → PENDING → RUNNING → DEACTIVATING → STOPPING → DEPROVISIONING → STOPPED.

moto creates tasks already RUNNING and moves them one state per DescribeTasks. Here each task moves
with time (settings ``task_*``), and while PENDING its containers really start on the local Docker
engine: the image is pulled from the registry that stands in for ECR, output goes to CloudWatch
Logs, and the container's exit ends the task with its exit code. Docker work runs in threads
outside ``state.LOCK``; every change to moto's objects happens under it, in ``tick``.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.utils import random_private_ip
from moto.ecr.models import ecr_backends

from .. import addresses, containers, registry
from ..catalog import rule
from ..settings import SETTINGS
from . import task_logs

log = logging.getLogger("berth_moto.tasks")

REF = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide"

LIFECYCLE = rule(
    "ecs.task.lifecycle",
    "Tasks start PROVISIONING and move PENDING → RUNNING → (DEACTIVATING → STOPPING → "
    "DEPROVISIONING →) STOPPED over time, whatever DescribeTasks is called; ListTasks without "
    "desiredStatus lists only tasks whose desired status is RUNNING",
    "ecs:RunTask ecs:DescribeTasks ecs:ListTasks ecs:StopTask",
    "The default status filter is RUNNING, which shows tasks that Amazon ECS has set the desired "
    "status to RUNNING. (ListTasks) / task lifecycle: PROVISIONING, PENDING, ACTIVATING, RUNNING, "
    "DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED",
    f"{REF}/task-lifecycle-explanation.html",
    (
        "test_task_lifecycle.py::test_run_task_goes_through_the_states",
        "test_task_lifecycle.py::test_stop_task_goes_through_stopping",
        "test_task_lifecycle.py::test_list_tasks_default_desired_status",
    ),
)
REAL_CONTAINERS = rule(
    "ecs.task.containers-run",
    "A task's containers run on the local Docker engine with the task definition's image, "
    "command, environment, port and memory limit; the task's public IP is a loopback address "
    "with the container ports published on it; output goes to the awslogs group and stream "
    '<prefix>/<container>/<task id>; an exit stops the task with the exit code and "Essential '
    'container in task exited"; a memory kill gives "OutOfMemoryError: Container killed due to '
    'memory usage"',
    "ecs:RunTask ecs:CreateService ecs:DescribeTasks ec2:DescribeNetworkInterfaces logs:GetLogEvents",
    "If the essential parameter of a container is marked as true, and that container fails or "
    "stops for any reason, all other containers that are part of the task are stopped. / If your "
    "container attempts to exceed the memory specified here, the container is killed. / The log "
    "stream name used by Amazon ECS has the <awslogs-stream-prefix>/<container_name>/<task_id> "
    "format. (prescriptive guidance, CloudWatch logging)",
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html",
    (
        "test_containers.py::test_service_task_serves_http_on_its_public_ip",
        "test_containers.py::test_crash_stops_task_with_exit_code_and_logs",
        "test_containers.py::test_memory_limit_gives_out_of_memory",
    ),
)
PULL_ERRORS = rule(
    "ecs.task.cannot-pull",
    "An image that is not in the registry (or whose ECR repository does not exist) stops the task "
    'with "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to '
    'resolve ref <image>: <image>: not found" (stopCode TaskFailedToStart)',
    "ecs:RunTask ecs:CreateService",
    "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve "
    "ref 12345678-eu-west-1.amazonaws.com/example-service:…@sha256:…: not found (reported; the "
    "FACTS table: wrong image URI or tag)",
    "https://github.com/aws/containers-roadmap/issues/2687",
    "test_containers.py::test_missing_image_cannot_pull",
)
NO_ROUTE = rule(
    "ecs.task.no-route-to-ecr",
    "A task without a public IP in a subnet whose route table has no NAT gateway route cannot "
    "reach ECR: it stops with CannotPullContainerError … i/o timeout",
    "ecs:RunTask ecs:CreateService",
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve "
    'ref quay.io/…:latest: failed to do request: Head "https://quay.io/v2/…/manifests/latest": '
    "dial tcp 3.210.148.47:443: i/o timeout (reported; a task needs a public IP in a public "
    "subnet, or a NAT gateway, to reach the registry)",
    "https://github.com/deepfence/terraform-aws-cloud-scanner/issues/13",
    "test_containers.py::test_no_public_ip_no_nat_cannot_pull",
)
LOG_GROUP = rule(
    "ecs.task.log-group-must-exist",
    "A task whose awslogs group does not exist (and awslogs-create-group is not true) stops with "
    "ResourceInitializationError … The specified log group does not exist",
    "ecs:RunTask ecs:CreateService",
    "If the log group doesn't exist, set the awslogs-create-group parameter and use the required "
    'logs:CreateLogGroup action for the task execution role. Reported: "failed to create Cloudwatch '
    'log stream: ResourceNotFoundException: The specified log group does not exist."',
    "https://repost.aws/knowledge-center/ecs-tasks-fargate-log-drivers",
    "test_containers.py::test_missing_log_group_stops_task",
)
ENI_LINGER = rule(
    "ec2.eni.lingers-after-task",
    "A stopped task's ENI stays (status in-use, its security groups held) for eni_linger_s before "
    "it is deleted",
    "ec2:DescribeNetworkInterfaces ec2:DeleteSecurityGroup",
    "Draining Fargate task ENIs and Lambda Hyperplane ENIs can hold theirs for 5–20 minutes after "
    "their owner is deleted (DetachInternetGateway / DeleteSecurityGroup fail with "
    "DependencyViolation meanwhile)",
    "https://github.com/alchemy-run/alchemy/pull/1125",
    "test_network.py::test_eni_lingers_after_the_task_stops",
)

NOT_FOUND_PULL = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve "
    "ref {image}: {image}: not found"
)
TIMEOUT_PULL = (
    "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve "
    'ref {image}: failed to do request: Head "https://{host}/v2/{repository}/manifests/{ref}": '
    "dial tcp 52.94.0.1:443: i/o timeout"
)
OOM_REASON = "OutOfMemoryError: Container killed due to memory usage"


def now_dt() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass
class ContainerState:
    """A task's container as DescribeTasks shows it (moto keeps only the first definition)."""

    container_arn: str
    task_arn: str
    name: str
    image: str
    essential: bool
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    runtime_id: str | None = None
    image_digest: str | None = None
    health_status: str = "UNKNOWN"
    cpu: str = "0"
    memory: str | None = None
    network_bindings: list[dict[str, Any]] = field(default_factory=list)
    network_interfaces: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Runtime:
    task: Any
    backend: Any
    definition: Any
    account: str
    region: str
    since: float
    eni: Any = None
    address: str | None = None
    ports: list[tuple[int, str]] = field(default_factory=list)
    container_ids: dict[str, str] = field(default_factory=dict)
    started: str | None = None  # None while starting; "ok"; else the stopped reason
    container_reason: str | None = None
    exits: dict[str, tuple[int, bool]] = field(default_factory=dict)
    # Each container's values of its task definition's `secrets` (rules/ecs_secrets.py).
    secret_env: dict[str, dict[str, str]] = field(default_factory=dict)
    stopping_requested: bool = False
    docker_stopped: bool = False
    stop_thread: threading.Thread | None = None
    start_thread: threading.Thread | None = None
    cleaned: bool = False
    failed: bool = False  # stopped for a reason the service counts as a failed task
    on_stopped: list[Callable[[Runtime], None]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.task._status

    def move(self, status: str) -> None:
        self.task._status = status
        self.task.version = getattr(self.task, "version", 1) + 1
        self.since = time.monotonic()


RUNTIMES: dict[str, Runtime] = {}


def reset() -> None:
    for runtime in list(RUNTIMES.values()):
        for container_id in runtime.container_ids.values():
            threading.Thread(target=containers.remove, args=(container_id,), daemon=True).start()
    RUNTIMES.clear()


# ------------------------------------------------------------------------------ adoption
def adopt(backend: Any, task: Any, account: str, region: str) -> Runtime:
    """Take over a task moto just created: give it a real id, PROVISIONING, containers, ports."""
    definition = backend.describe_task_definition(task.task_definition_arn)
    cluster_tasks = backend.tasks[task.cluster_name]
    cluster_tasks.pop(task.task_arn, None)
    task.id = uuid.uuid4().hex  # ECS task ids are 32 hex digits
    cluster_tasks[task.task_arn] = task

    task._transitions = []  # moto's state manager must not move it
    task._status = "PROVISIONING"
    task.desired_status = "RUNNING"
    task.created_at = now_dt()
    task.version = 1
    task.cpu = definition.cpu
    task.memory = definition.memory
    task.platform_version = task.platform_version or "1.4.0"
    task.platform_family = "Linux"
    task.connectivity = None
    task.health_status = "UNKNOWN"
    task.stop_code = None
    task.stopped_reason = None
    task.ephemeral_storage = {"sizeInGiB": 20}
    task.launch_type = task.launch_type or "FARGATE"

    runtime = Runtime(
        task=task,
        backend=backend,
        definition=definition,
        account=account,
        region=region,
        since=time.monotonic(),
    )
    _attach_network(runtime)
    task.containers = [
        ContainerState(
            container_arn=f"arn:aws:ecs:{region}:{account}:container/{task.cluster_name}/{task.id}/{uuid.uuid4()}",
            task_arn=task.task_arn,
            name=c["name"],
            image=c["image"],
            essential=c.get("essential", True),
            cpu=str(c.get("cpu", 0)),
            memory=str(c["memory"]) if c.get("memory") else None,
            network_interfaces=_container_interfaces(runtime),
        )
        for c in definition.container_definitions
    ]
    RUNTIMES[task.task_arn] = runtime
    return runtime


def _attach_network(runtime: Runtime) -> None:
    task = runtime.task
    for attachment in task.attachments:
        if attachment.get("type") != "ElasticNetworkInterface":
            continue
        attachment["status"] = "PRECREATED"
        eni_id = next((d["value"] for d in attachment["details"] if d["name"] == "networkInterfaceId"), None)
        if eni_id:
            eni = ec2_backends[runtime.account][runtime.region].enis.get(eni_id)
            runtime.eni = eni
            if eni is not None:
                # moto picks any 10.x address; ECS's is inside the subnet
                private_ip = random_private_ip(eni.subnet.cidr_block)
                eni.private_ip_address = private_ip
                eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": private_ip}]
                for detail in attachment["details"]:
                    if detail["name"] == "privateIPv4Address":
                        detail["value"] = private_ip
                    elif detail["name"] == "privateDnsName":
                        detail["value"] = f"ip-{private_ip.replace('.', '-')}.ec2.internal"
                eni.description = (
                    f"arn:aws:ecs:{runtime.region}:{runtime.account}:attachment/{attachment['id']}"
                )
                eni.interface_type = "interface"
                eni.requester_managed = True
                eni.availability_zone_name = eni.subnet.availability_zone
                task.availability_zone = eni.subnet.availability_zone
    config = (getattr(task, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
    runtime.ports = [
        (m["containerPort"], m.get("protocol", "tcp"))
        for c in runtime.definition.container_definitions
        for m in c.get("portMappings") or []
        if m.get("containerPort")
    ]
    if config.get("assignPublicIp") == "ENABLED" and runtime.eni is not None:
        runtime.address = addresses.allocate(runtime.ports)
        runtime.eni.public_ip = runtime.address


def _container_interfaces(runtime: Runtime) -> list[dict[str, Any]]:
    for attachment in runtime.task.attachments:
        ip = next(
            (d["value"] for d in attachment.get("details", []) if d["name"] == "privateIPv4Address"), None
        )
        if ip:
            return [{"attachmentId": attachment["id"], "privateIpv4Address": ip}]
    return []


# ------------------------------------------------------------------------------ stopping
def request_stop(runtime: Runtime, reason: str, code: str, failed: bool = False) -> None:
    task = runtime.task
    if task.desired_status == "STOPPED":
        return
    task.desired_status = "STOPPED"
    task.stopped_reason = reason
    task.stop_code = code
    runtime.failed = failed
    runtime.stopping_requested = True


# ------------------------------------------------------------------------------ the clock
def tick() -> None:
    for runtime in list(RUNTIMES.values()):
        try:
            _step(runtime)
        except Exception:
            log.exception("task %s: lifecycle step failed", runtime.task.task_arn)


def _step(runtime: Runtime) -> None:
    task = runtime.task
    elapsed = time.monotonic() - runtime.since
    status = runtime.status
    if not LIFECYCLE.enabled:
        return
    if status == "PROVISIONING":
        if runtime.stopping_requested:
            _to_deprovisioning(runtime)
        elif elapsed >= SETTINGS.task_provision_s:
            for attachment in task.attachments:
                attachment["status"] = "ATTACHED"
            task.pull_started_at = now_dt()
            runtime.move("PENDING")
            _begin_start(runtime)
    elif status == "PENDING":
        if runtime.started is None:
            return  # still pulling / starting
        if runtime.stopping_requested:
            _stop_containers(runtime)
            _to_deprovisioning(runtime)
        elif runtime.started != "ok":
            task.pull_stopped_at = now_dt()
            for container in task.containers:
                container.last_status = "STOPPED"
                container.reason = runtime.container_reason
            request_stop(runtime, runtime.started, "TaskFailedToStart", failed=True)
            _to_deprovisioning(runtime)
        elif elapsed >= SETTINGS.task_pending_min_s:
            task.pull_stopped_at = now_dt()
            task.started_at = now_dt()
            task.connectivity = "CONNECTED"
            task.connectivity_at = now_dt()
            for container in task.containers:
                container.last_status = "RUNNING"
                container.runtime_id = runtime.container_ids.get(container.name)
            runtime.move("RUNNING")
    elif status == "RUNNING":
        exited = [c for c in task.containers if c.name in runtime.exits]
        for container in exited:
            code, oom = runtime.exits[container.name]
            container.last_status = "STOPPED"
            container.exit_code = code
            if oom:
                container.reason = OOM_REASON
        if any(c.essential for c in exited) and not runtime.stopping_requested:
            request_stop(
                runtime, "Essential container in task exited", "EssentialContainerExited", failed=True
            )
        if runtime.stopping_requested:
            task.stopping_at = now_dt()
            runtime.move("DEACTIVATING")
    elif status == "DEACTIVATING":
        if elapsed >= SETTINGS.task_stop_step_s:
            runtime.move("STOPPING")
            _stop_containers(runtime)
    elif status == "STOPPING":
        exits_known = all(name in runtime.exits for name in runtime.container_ids)
        if (
            runtime.docker_stopped
            and elapsed >= SETTINGS.task_stop_step_s
            and (exits_known or elapsed >= SETTINGS.task_stop_step_s + 2)
        ):
            for container in task.containers:
                container.last_status = "STOPPED"
                if container.name in runtime.exits and container.exit_code is None:
                    container.exit_code, oom = runtime.exits[container.name]
                    if oom:
                        container.reason = OOM_REASON
            task.execution_stopped_at = now_dt()
            _to_deprovisioning(runtime)
    elif status == "DEPROVISIONING":
        if elapsed >= SETTINGS.task_stop_step_s:
            task.stopped_at = now_dt()
            task.execution_stopped_at = getattr(task, "execution_stopped_at", None) or now_dt()
            task.connectivity = None
            for attachment in task.attachments:
                attachment["status"] = "DELETED"
            runtime.move("STOPPED")
            for callback in runtime.on_stopped:
                callback(runtime)
    elif status == "STOPPED":
        if not runtime.cleaned and (elapsed >= SETTINGS.eni_linger_s or not ENI_LINGER.enabled):
            _release(runtime)


def _to_deprovisioning(runtime: Runtime) -> None:
    if runtime.task.desired_status != "STOPPED":
        request_stop(runtime, "Task stopped by user", "UserInitiated")
    runtime.task.stopping_at = getattr(runtime.task, "stopping_at", None) or now_dt()
    for attachment in runtime.task.attachments:
        attachment["status"] = (
            "DETACHING" if attachment.get("status") == "ATTACHED" else attachment.get("status")
        )
    runtime.move("DEPROVISIONING")


def _release(runtime: Runtime) -> None:
    runtime.cleaned = True
    if runtime.eni is not None:
        ec2_backends[runtime.account][runtime.region].enis.pop(runtime.eni.id, None)
    addresses.release(runtime.address)
    ids = list(runtime.container_ids.values())
    threading.Thread(target=lambda: [containers.remove(i) for i in ids], daemon=True).start()
    RUNTIMES.pop(runtime.task.task_arn, None)


# ------------------------------------------------------------------------------ docker work
def _begin_start(runtime: Runtime) -> None:
    """Decide what can be known now (under the lock), then pull and start in a thread."""
    plan: list[tuple[dict[str, Any], str, dict[str, str] | None, dict[str, str] | None]] = []
    task = runtime.task
    for definition in runtime.definition.container_definitions:
        opts = task_logs.options(definition, runtime.region)
        if opts and LOG_GROUP.enabled and not task_logs.group_ready(runtime.account, opts):
            runtime.started = task_logs.MISSING_GROUP
            return
        from ..rules import ecs_secrets

        values, problem = ecs_secrets.resolve(
            runtime.account,
            runtime.region,
            getattr(runtime.definition, "execution_role_arn", None),
            definition,
        )
        if problem:
            runtime.started = problem
            runtime.container_reason = problem
            return
        runtime.secret_env[definition["name"]] = values
        image = definition["image"]
        source, auth, problem = _image_source(runtime, image)
        if problem:
            runtime.started = problem
            runtime.container_reason = problem
            return
        plan.append((definition, source, auth, opts))
    if not REAL_CONTAINERS.enabled or not SETTINGS.containers:
        runtime.started = "ok"
        runtime.docker_stopped = True
        return
    overrides = {o.get("name"): o for o in (task.overrides or {}).get("containerOverrides") or []}
    thread = threading.Thread(
        target=_start_containers, args=(runtime, plan, overrides), name=f"start-{task.id[:8]}", daemon=True
    )
    runtime.start_thread = thread
    thread.start()


def _image_source(runtime: Runtime, image: str) -> tuple[str, dict[str, str] | None, str | None]:
    """(what to pull, registry credentials, stopped reason if it cannot be pulled)."""
    ecr = registry.parse_ecr(image)
    if ecr is None:
        return image, None, None  # Docker Hub etc.: the engine pulls it (or has it)
    if NO_ROUTE.enabled and not _route_to_ecr(runtime):
        reference = ecr.tag or ecr.digest or "latest"
        return (
            "",
            None,
            TIMEOUT_PULL.format(
                image=image,
                host=image.split("/", 1)[0],
                repository=ecr.repository,
                ref=reference,
            ),
        )
    if PULL_ERRORS.enabled and ecr.repository not in ecr_backends[ecr.account][ecr.region].repositories:
        return "", None, NOT_FOUND_PULL.format(image=image)
    if not registry.configured():
        return image, None, None
    local = ecr.local_repository + (f"@{ecr.digest}" if ecr.digest else f":{ecr.tag or 'latest'}")
    auth = (
        {"username": SETTINGS.registry_user, "password": SETTINGS.registry_password}
        if SETTINGS.registry_user
        else None
    )
    return local, auth, None


def _route_to_ecr(runtime: Runtime) -> bool:
    """A public IP, or a NAT gateway route in the subnet's route table."""
    if runtime.address:
        return True
    eni = runtime.eni
    if eni is None:
        return True  # not awsvpc: out of scope
    tables = list(ec2_backends[runtime.account][runtime.region].route_tables.values())
    explicit = [t for t in tables if eni.subnet.id in t._associations.values()]
    main = [t for t in tables if t.vpc_id == eni.subnet.vpc_id and t.main_association_id]
    for table in explicit or main:
        for route in table.routes:
            if route.destination_cidr_block == "0.0.0.0/0" and route.nat_gateway is not None:
                return True
    return False


def _start_containers(runtime: Runtime, plan: list[Any], overrides: dict[str, Any]) -> None:
    from .. import state

    started: dict[str, str] = {}
    task = runtime.task
    try:
        for definition, source, auth, opts in plan:
            name = definition["name"]
            from_ecr = registry.parse_ecr(definition["image"]) is not None
            # An image that is not ECR's and is already on the engine is used as it is: Docker Hub
            # cannot be reached from the test machines (a leniency; ECR images are always pulled).
            image_id = None if from_ecr else containers.local_image(source)
            if image_id is None:
                try:
                    image_id = containers.pull(source, auth)
                except containers.PullError as error:
                    log.info("pull of %s failed: %s", source, error)
                    if not PULL_ERRORS.enabled:
                        continue  # moto's way: the task "runs" without its container
                    reason = NOT_FOUND_PULL.format(image=definition["image"])
                    _finish_start(runtime, started, reason, reason)
                    return
            spec = _spec(runtime, definition, source, overrides.get(name) or {})
            container_id = _start_one(runtime, spec)
            started[name] = container_id
            with state.LOCK:
                for container in task.containers:
                    if container.name == name:
                        container.image_digest = _digest_of(image_id, source)
            if opts:
                stream = task_logs.stream_name(opts, name, task.id, container_id)
                with state.LOCK:
                    from moto.logs.models import logs_backends

                    logs_backends[runtime.account][opts["awslogs-region"]].ensure_log_stream(
                        opts["awslogs-group"], stream
                    )
                task_logs.forward(runtime.account, opts, stream, container_id)
            threading.Thread(target=_wait_exit, args=(runtime, name, container_id), daemon=True).start()
        _finish_start(runtime, started, "ok", None)
    except containers.StartError as error:
        reason = f"CannotStartContainerError: {error}"
        _finish_start(runtime, started, reason, reason)
    except Exception as error:  # the engine is unreachable, ...
        log.exception("task %s could not start", task.task_arn)
        reason = f"CannotStartContainerError: {error}"
        _finish_start(runtime, started, reason, reason)


def _start_one(runtime: Runtime, spec: containers.Spec) -> str:
    tried: set[str] = set()
    while True:
        try:
            return containers.start(spec)
        except containers.StartError as error:
            # Another launcher took this address:port since we checked: move to another one.
            if not error.port_conflict or spec.address is None or len(tried) > 20:
                raise
            from .. import state

            tried.add(spec.address)
            with state.LOCK:
                addresses.release(spec.address)
                spec.address = addresses.allocate(runtime.ports, avoid=tried)
                runtime.address = spec.address
                if runtime.eni is not None:
                    runtime.eni.public_ip = spec.address
            if spec.address is None:
                raise


def _finish_start(
    runtime: Runtime, started: dict[str, str], result: str, container_reason: str | None
) -> None:
    from .. import state

    with state.LOCK:
        runtime.container_ids.update(started)
        runtime.started = result
        runtime.container_reason = container_reason


def _spec(
    runtime: Runtime, definition: dict[str, Any], image: str, override: dict[str, Any]
) -> containers.Spec:
    from ..rules.ecs_params import cpu_units, memory_mib

    environment = {e["name"]: e.get("value", "") for e in definition.get("environment") or []}
    environment.update({e["name"]: e.get("value", "") for e in override.get("environment") or []})
    environment.update(runtime.secret_env.get(definition["name"]) or {})
    memory = (
        definition.get("memory")
        or override.get("memory")
        or memory_mib(runtime.definition.memory or 0)
        or None
    )
    cpu = cpu_units(runtime.definition.cpu or 0) or 0
    return containers.Spec(
        task_arn=runtime.task.task_arn,
        name=f"berth-moto-{runtime.task.id}-{definition['name']}",
        image=image,
        command=override.get("command") or definition.get("command"),
        entry_point=definition.get("entryPoint"),
        environment=environment,
        memory_mib=int(memory) if memory else None,
        cpus=cpu / 1024 if cpu else None,
        address=runtime.address,
        ports=[
            (m["containerPort"], m.get("protocol", "tcp"))
            for m in definition.get("portMappings") or []
            if m.get("containerPort")
        ],
        working_directory=definition.get("workingDirectory"),
    )


def _digest_of(image_id: str, source: str) -> str | None:
    if "@" in source:
        return source.split("@", 1)[1]
    try:
        digests = containers.client().images.get(image_id).attrs.get("RepoDigests") or []
    except Exception:
        return None
    repository = source.rsplit(":", 1)[0]
    for repo_digest in digests:
        if repo_digest.startswith(repository + "@"):
            return repo_digest.split("@", 1)[1]
    return None


def _wait_exit(runtime: Runtime, name: str, container_id: str) -> None:
    from .. import state

    try:
        code, oom = containers.wait(container_id)
    except Exception as error:
        log.info("waiting for %s failed: %s", container_id[:12], error)
        code, oom = 137, False
    with state.LOCK:
        runtime.exits[name] = (code, oom)


def _stop_containers(runtime: Runtime) -> None:
    """docker stop every container (SIGTERM, then SIGKILL after the stop timeout), in a thread."""
    if runtime.stop_thread is not None:
        return
    ids = list(runtime.container_ids.values())
    timeout = SETTINGS.container_stop_timeout_s

    def run() -> None:
        from .. import state

        if runtime.start_thread is not None:
            runtime.start_thread.join()
            with state.LOCK:
                ids[:] = list(runtime.container_ids.values())
        for container_id in ids:
            containers.stop(container_id, timeout)
        with state.LOCK:
            runtime.docker_stopped = True

    runtime.stop_thread = threading.Thread(target=run, daemon=True)
    runtime.stop_thread.start()

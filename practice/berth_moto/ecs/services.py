"""The service scheduler: deployments, desired count, rollouts, the circuit breaker, draining.

moto keeps a service's counts as numbers it never changes (and sets runningCount to desiredCount on
UpdateService). Here every tick compares the service with its real tasks, as the ECS service
scheduler does: it starts tasks for the PRIMARY deployment up to desiredCount, stops old
deployments' tasks once the new ones run, marks rollouts COMPLETED or FAILED, and writes the
service events ECS writes.
"""

from __future__ import annotations

import logging
import math
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..catalog import rule
from ..rules import iam_consistency
from ..settings import SETTINGS
from . import tasks
from .tasks import Runtime, now_dt

log = logging.getLogger("berth_moto.services")

API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"
GUIDE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide"

SCHEDULER = rule(
    "ecs.service.scheduler",
    "A service starts tasks (startedBy its deployment id, group service:<name>) up to "
    "desiredCount, keeps runningCount/pendingCount true, replaces tasks that stop, stops tasks on "
    'scale-down, and writes "(service x) has started N tasks: (task …).", "has stopped N running '
    'tasks", "has reached a steady state."',
    "ecs:CreateService ecs:UpdateService ecs:DescribeServices",
    "Runs and maintains your desired number of tasks from a specified task definition. If the "
    "number of tasks running in a service drops below the desiredCount, Amazon ECS runs another "
    "copy of the task in the specified cluster.",
    f"{API}/API_CreateService.html",
    (
        "test_scheduler.py::test_service_starts_tasks_and_reaches_steady_state",
        "test_scheduler.py::test_scale_down_stops_tasks",
        "test_scheduler.py::test_stopped_task_is_replaced",
    ),
)
ROLLOUT = rule(
    "ecs.service.rollout",
    "A new task definition (or forceNewDeployment / networkConfiguration) on UpdateService starts "
    "a new PRIMARY deployment (rolloutState IN_PROGRESS); the old deployment's tasks are stopped "
    "once the new ones run (first, as far as minimumHealthyPercent allows, when maximumPercent "
    "leaves no room); the rollout becomes COMPLETED at steady state; desiredCount alone starts no "
    "deployment",
    "ecs:UpdateService ecs:DescribeServices",
    "If you modify the task definition with UpdateService, Amazon ECS spawns a task with the new "
    "version of the task definition and then stops an old task after the new version is running. "
    "This parameter triggers a new service deployment. / desiredCount … This parameter doesn't "
    "trigger a new service deployment.",
    f"{API}/API_UpdateService.html",
    (
        "test_scheduler.py::test_update_service_rolls_a_new_deployment",
        "test_scheduler.py::test_maximum_percent_100_replaces_in_place",
    ),
)
CIRCUIT_BREAKER = rule(
    "ecs.service.circuit-breaker",
    "With deploymentCircuitBreaker enabled, a deployment whose failed tasks reach the threshold "
    "(0.5 × desiredCount, at least 3, at most 200) becomes FAILED and stops launching tasks; with "
    "rollback, a new deployment of the last COMPLETED task definition starts",
    "ecs:CreateService ecs:UpdateService ecs:DescribeServices",
    "If it is turned on, a service deployment will transition to a failed state and stop "
    "launching new tasks. You can also configure Amazon ECS to roll back your service to the last "
    "completed deployment after a failure. / The deployment circuit breaker has a minimum "
    "threshold of 3 and a maximum threshold of 200. … 0.5 * desired task count",
    f"{API}/API_DeploymentCircuitBreaker.html",
    (
        "test_scheduler.py::test_circuit_breaker_fails_and_stops_launching",
        "test_scheduler.py::test_circuit_breaker_rolls_back",
    ),
)
DRAINING = rule(
    "ecs.service.draining",
    "DeleteService moves the service to DRAINING (its tasks stop), then INACTIVE once they have "
    "stopped and service_drain_s has passed; ListServices omits both; CreateService of the same "
    'name while DRAINING answers "Unable to Start a service that is still Draining.", while '
    'ACTIVE "Creation of service was not idempotent."; UpdateService of a service that is not '
    "ACTIVE answers ServiceNotActiveException",
    "ecs:DeleteService ecs:CreateService ecs:UpdateService ecs:ListServices ecs:DescribeServices",
    "When you delete a service, if there are still running tasks that require cleanup, the "
    "service status moves from ACTIVE to DRAINING, and the service is no longer visible in the "
    "console or in the ListServices API operation. After all tasks have transitioned to either "
    "STOPPING or STOPPED status, the service status moves from DRAINING to INACTIVE. … If you "
    "attempt to create a new service with the same name as an existing service in either ACTIVE "
    "or DRAINING status, you receive an error.",
    f"{API}/API_DeleteService.html",
    (
        "test_service_draining.py::test_delete_service_drains_then_inactive",
        "test_service_draining.py::test_create_while_draining_fails",
        "test_service_draining.py::test_update_draining_service_fails",
    ),
)


@dataclass
class ServiceRuntime:
    service: Any
    backend: Any
    account: str
    region: str
    next_launch: float = 0.0
    steady_since: float | None = None
    drain_started: float | None = None
    last_completed: dict[str, Any] | None = None
    task_arns: list[str] = field(default_factory=list)


SERVICES: dict[str, ServiceRuntime] = {}


def reset() -> None:
    SERVICES.clear()


def _key(service: Any) -> str:
    return f"{service._account_id}:{service.arn}"


def runtime_of(service: Any) -> ServiceRuntime | None:
    return SERVICES.get(_key(service))


def deployment_id() -> str:
    return f"ecs-svc/{random.randint(10**18, 9 * 10**18)}"


def _deployment(service: Any, status: str = "PRIMARY") -> dict[str, Any]:
    now = now_dt()
    ident = deployment_id()
    return {
        "id": ident,
        "status": status,
        "taskDefinition": service.task_definition,
        "desiredCount": service.desired_count,
        "pendingCount": 0,
        "runningCount": 0,
        "failedTasks": 0,
        "createdAt": now,
        "updatedAt": now,
        "launchType": service.launch_type,
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "networkConfiguration": service.network_configuration or None,
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": f"ECS deployment {ident} in progress.",
    }


def deployment_configuration(
    given: dict[str, Any] | None, current: dict[str, Any] | None = None
) -> dict[str, Any]:
    merged = {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
    }
    for source in (current or {}, given or {}):
        for key, value in source.items():
            merged[key] = value
    return merged


def event(service: Any, message: str) -> None:
    service.events.insert(
        0, {"id": str(uuid.uuid4()), "createdAt": now_dt(), "message": f"(service {service.name}) {message}"}
    )
    del service.events[100:]


def adopt(backend: Any, service: Any, account: str, region: str, config: dict[str, Any] | None) -> None:
    service.created_at = now_dt()
    service.createdAt = service.created_at
    service.platform_version = service.platform_version or (
        "LATEST" if service.launch_type == "FARGATE" else None
    )
    service.platform_family = "Linux"
    service.deployment_configuration = deployment_configuration(config)
    service.running_count = 0
    service.pending_count = 0
    service.events = []
    service.deployments = [_deployment(service)]
    SERVICES[_key(service)] = ServiceRuntime(service=service, backend=backend, account=account, region=region)


def new_deployment(service: Any) -> None:
    """UpdateService that changed the task definition, network or forced it: a new PRIMARY."""
    for deployment in service.deployments:
        if deployment["status"] == "PRIMARY":
            deployment["status"] = "ACTIVE"
            deployment["updatedAt"] = now_dt()
    service.deployments.insert(0, _deployment(service))
    rt = runtime_of(service)
    if rt is not None:
        rt.steady_since = None
        rt.next_launch = 0.0


def start_draining(service: Any) -> None:
    rt = runtime_of(service)
    service.status = "DRAINING"
    if rt is not None:
        rt.drain_started = time.monotonic()


# ------------------------------------------------------------------------------ the clock
def tick() -> None:
    for rt in list(SERVICES.values()):
        try:
            _step(rt)
        except Exception:
            log.exception("service %s: step failed", rt.service.arn)


def _service_tasks(rt: ServiceRuntime) -> list[Any]:
    service = rt.service
    group = f"service:{service.name}"
    found = []
    for task in rt.backend.tasks.get(service.cluster_name, {}).values():
        if task.group == group and task.task_arn in rt.task_arns:
            found.append(task)
    return found


def _live(task: Any) -> bool:
    return task.desired_status == "RUNNING"


def _step(rt: ServiceRuntime) -> None:
    if not SCHEDULER.enabled:
        return
    service = rt.service
    now = time.monotonic()
    all_tasks = _service_tasks(rt)
    _count(service, all_tasks)
    if service.status == "DRAINING":
        stopped_now = [t for t in all_tasks if _live(t)]
        for task in stopped_now:
            _stop(rt, task, _scaling_reason(service))
        if stopped_now:
            event(service, f"has stopped {len(stopped_now)} running tasks: {_task_list(stopped_now)}.")
        done = all(t._status in ("STOPPING", "DEPROVISIONING", "STOPPED") for t in all_tasks)
        if DRAINING.enabled and done and now - (rt.drain_started or now) >= SETTINGS.service_drain_s:
            service.status = "INACTIVE"
            SERVICES.pop(_key(service), None)
        return
    if service.status != "ACTIVE":
        return

    primary = service.deployments[0]
    primary["desiredCount"] = service.desired_count
    mine = [t for t in all_tasks if t.started_by == primary["id"] and _live(t)]
    want = service.desired_count
    breaker = service.deployment_configuration.get("deploymentCircuitBreaker") or {}

    if CIRCUIT_BREAKER.enabled and breaker.get("enable") and primary["rolloutState"] == "IN_PROGRESS":
        threshold = min(max(math.ceil(0.5 * want), 3), 200)
        if primary["failedTasks"] >= threshold:
            _fail(rt, primary, bool(breaker.get("rollback")))
            return

    launching = not (CIRCUIT_BREAKER.enabled and primary["rolloutState"] == "FAILED")
    if launching and len(mine) < want and now >= rt.next_launch:
        _launch(rt, primary, want - len(mine), all_tasks)
    if len(mine) > want:
        extra = sorted(mine, key=lambda t: t.created_at, reverse=True)[: len(mine) - want]
        for task in extra:
            _stop(rt, task, _scaling_reason(service))
        event(service, f"has stopped {len(extra)} running tasks: {_task_list(extra)}.")

    running = [t for t in mine if t._status == "RUNNING"]
    old = [d for d in service.deployments[1:]]
    if old and (len(running) >= want or not ROLLOUT.enabled):
        stopped = []
        for deployment in old:
            for task in all_tasks:
                if task.started_by == deployment["id"] and _live(task):
                    _stop(rt, task, _scaling_reason(service))
                    stopped.append(task)
        if stopped:
            event(service, f"has stopped {len(stopped)} running tasks: {_task_list(stopped)}.")
    # An old deployment goes away once its last task is gone.
    service.deployments[1:] = [
        d
        for d in service.deployments[1:]
        if any(t.started_by == d["id"] and t._status != "STOPPED" for t in all_tasks)
    ]

    steady = len(service.deployments) == 1 and len(running) == want == len(mine)
    if steady:
        rt.steady_since = rt.steady_since or now
        if now - rt.steady_since >= SETTINGS.steady_state_s and primary["rolloutState"] == "IN_PROGRESS":
            primary["rolloutState"] = "COMPLETED"
            primary["rolloutStateReason"] = f"ECS deployment {primary['id']} completed."
            primary["updatedAt"] = now_dt()
            rt.last_completed = {"id": primary["id"], "taskDefinition": primary["taskDefinition"]}
            event(service, f"(deployment {primary['id']}) deployment completed.")
            event(service, "has reached a steady state.")
    else:
        rt.steady_since = None


def _count(service: Any, all_tasks: list[Any]) -> None:
    pending_states = ("PROVISIONING", "PENDING", "ACTIVATING")
    service.running_count = sum(1 for t in all_tasks if t._status == "RUNNING")
    service.pending_count = sum(1 for t in all_tasks if t._status in pending_states and _live(t))
    for deployment in service.deployments:
        mine = [t for t in all_tasks if t.started_by == deployment["id"]]
        deployment["runningCount"] = sum(1 for t in mine if t._status == "RUNNING")
        deployment["pendingCount"] = sum(1 for t in mine if t._status in pending_states and _live(t))


def _scaling_reason(service: Any) -> str:
    return f"Scaling activity initiated by (deployment {service.deployments[0]['id']})"


def _task_list(found: list[Any]) -> str:
    return " ".join(f"(task {t.id})" for t in found)


def _stop(rt: ServiceRuntime, task: Any, reason: str) -> None:
    runtime = tasks.RUNTIMES.get(task.task_arn)
    if runtime is not None:
        tasks.request_stop(runtime, reason, "ServiceSchedulerInitiated")
    else:
        task.desired_status = "STOPPED"


def _launch(rt: ServiceRuntime, deployment: dict[str, Any], count: int, all_tasks: list[Any]) -> None:
    service = rt.service
    backend = rt.backend
    config = service.deployment_configuration
    live_total = sum(1 for t in all_tasks if _live(t))
    room = math.floor(service.desired_count * config.get("maximumPercent", 200) / 100) - live_total
    if room <= 0:
        _make_room(rt, deployment, all_tasks)
        return
    count = min(count, room)
    definition = backend.describe_task_definition(deployment["taskDefinition"])
    problem = iam_consistency.execution_role_problem(rt.account, definition)
    if problem:
        event(service, f"failed to launch a task with (error {problem}).")
        rt.next_launch = time.monotonic() + SETTINGS.service_retry_s
        return
    from . import patches

    started = patches.start_service_tasks(rt, deployment, count)
    rt.next_launch = time.monotonic() + SETTINGS.scheduler_tick_s
    if started:
        event(service, f"has started {len(started)} tasks: {_task_list(started)}.")


def _make_room(rt: ServiceRuntime, deployment: dict[str, Any], all_tasks: list[Any]) -> None:
    """maximumPercent leaves no room for a new task: stop old deployments' tasks first, as far as
    minimumHealthyPercent allows (e.g. 0/100 replaces in place; 100/100 cannot deploy)."""
    service = rt.service
    config = service.deployment_configuration
    healthy = [t for t in all_tasks if _live(t) and t._status == "RUNNING"]
    floor = math.ceil(service.desired_count * config.get("minimumHealthyPercent", 100) / 100)
    old = [t for t in all_tasks if _live(t) and t.started_by != deployment["id"]]
    spare = min(len(healthy) - floor, len(old))
    if spare <= 0:
        return
    stopping = sorted(old, key=lambda t: t._status == "RUNNING")[:spare]  # not-yet-running first
    for task in stopping:
        _stop(rt, task, _scaling_reason(service))
    event(service, f"has stopped {len(stopping)} running tasks: {_task_list(stopping)}.")


def on_task_stopped(rt: ServiceRuntime, runtime: Runtime) -> None:
    """A service task reached STOPPED: count it as failed if it was not stopped on purpose."""
    service = rt.service
    if not runtime.failed:
        return
    for deployment in service.deployments:
        if deployment["id"] == runtime.task.started_by:
            deployment["failedTasks"] += 1
            deployment["updatedAt"] = now_dt()
    # ECS throttles a service whose tasks keep failing; here a short pause before the next one.
    rt.next_launch = max(rt.next_launch, time.monotonic() + SETTINGS.service_retry_s / 2)


def _fail(rt: ServiceRuntime, primary: dict[str, Any], rollback: bool) -> None:
    service = rt.service
    primary["rolloutState"] = "FAILED"
    primary["rolloutStateReason"] = "ECS deployment circuit breaker: tasks failed to start."
    primary["updatedAt"] = now_dt()
    event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
    if rollback and rt.last_completed is not None:
        service.task_definition = rt.last_completed["taskDefinition"]
        new_deployment(service)
        rolled = service.deployments[0]
        rolled["rolloutStateReason"] = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {rt.last_completed['id']}."
        )
        event(service, f"rolling back to deployment {rt.last_completed['id']}.")

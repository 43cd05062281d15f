"""Task containers on the local Docker engine.

Every container carries labels naming this launcher (its instance and process id), so the
launcher removes its own containers when it exits or resets, and on start removes the ones whose
launcher died without doing so. Nothing else on the engine is touched.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors

from .settings import SETTINGS

log = logging.getLogger("berth_moto.containers")

LABEL = "berth.moto"
LABEL_INSTANCE = "berth.moto.instance"
LABEL_PID = "berth.moto.launcher-pid"
LABEL_HOST = "berth.moto.host"
LABEL_TASK = "berth.moto.task"

_client: docker.DockerClient | None = None


def client() -> docker.DockerClient:
    global _client
    if _client is None:
        base_url = SETTINGS.docker_host or os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
        _client = docker.DockerClient(base_url=base_url, timeout=120, version="auto")
    return _client


class PullError(Exception):
    pass


class StartError(Exception):
    def __init__(self, message: str, port_conflict: bool = False):
        super().__init__(message)
        self.port_conflict = port_conflict


@dataclass
class Spec:
    task_arn: str
    name: str  # docker container name
    image: str
    command: list[str] | None = None
    entry_point: list[str] | None = None
    environment: dict[str, str] = field(default_factory=dict)
    memory_mib: int | None = None
    cpus: float | None = None
    address: str | None = None  # publish ports on this address (None: not reachable)
    ports: list[tuple[int, str]] = field(default_factory=list)
    working_directory: str | None = None


def pull(image: str, auth: dict[str, str] | None) -> str:
    """Pull ``image`` (repo:tag or repo@digest); return the image id. Raise PullError."""
    repository, tag = _split(image)
    try:
        for event in client().api.pull(repository, tag=tag, auth_config=auth, stream=True, decode=True):
            if "error" in event:
                raise PullError(event["error"])
        return client().images.get(image).id
    except docker.errors.APIError as error:
        raise PullError(str(error.explanation or error)) from None
    except docker.errors.DockerException as error:
        raise PullError(str(error)) from None


def local_image(image: str) -> str | None:
    try:
        return client().images.get(image).id
    except docker.errors.DockerException:
        return None


def _split(image: str) -> tuple[str, str | None]:
    if "@" in image:
        repository, digest = image.split("@", 1)
        return repository, digest
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = image.rsplit(":", 1)
        return repository, tag
    return image, "latest"


def start(spec: Spec) -> str:
    """Create and start the container; return its id. Raise StartError."""
    labels = {
        LABEL: "1",
        LABEL_INSTANCE: SETTINGS.instance,
        LABEL_PID: str(os.getpid()),
        LABEL_HOST: socket.gethostname(),
        LABEL_TASK: spec.task_arn,
    }
    ports: dict[str, Any] = {}
    if spec.address:
        for port, protocol in spec.ports:
            ports[f"{port}/{protocol}"] = (spec.address, port)
    kwargs: dict[str, Any] = {
        "name": spec.name,
        "command": spec.command,
        "entrypoint": spec.entry_point,
        "environment": spec.environment,
        "labels": labels,
        "ports": ports,
        "detach": True,
        "working_dir": spec.working_directory,
    }
    if spec.memory_mib:
        kwargs["mem_limit"] = f"{spec.memory_mib}m"
        kwargs["memswap_limit"] = f"{spec.memory_mib}m"  # no swap: over the limit is OOM, as on Fargate
    if spec.cpus:
        kwargs["nano_cpus"] = int(min(spec.cpus, os.cpu_count() or 1) * 1e9)
    container = None
    try:
        container = client().containers.create(
            spec.image, **{k: v for k, v in kwargs.items() if v not in (None, {}, [])}
        )
        container.start()
        return container.id
    except docker.errors.APIError as error:
        message = str(error.explanation or error)
        if container is not None:
            remove(container.id)
        conflict = "port is already allocated" in message or "address already in use" in message
        raise StartError(message, port_conflict=conflict) from None


def wait(container_id: str) -> tuple[int, bool]:
    """Block until the container exits; return (exit code, killed for memory)."""
    container = client().containers.get(container_id)
    result = container.wait()
    container.reload()
    return int(result.get("StatusCode", -1)), bool(container.attrs["State"].get("OOMKilled"))


def stop(container_id: str, timeout: float) -> None:
    try:
        client().containers.get(container_id).stop(timeout=max(int(round(timeout)), 0))
    except docker.errors.NotFound:
        pass


def remove(container_id: str) -> None:
    try:
        client().containers.get(container_id).remove(force=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as error:
        if "already in progress" not in str(error):
            log.warning("could not remove container %s: %s", container_id[:12], error)


def follow_logs(container_id: str) -> Iterator[tuple[int, str]]:
    """(epoch milliseconds, line) of the container's output until it exits."""
    stream = client().api.logs(
        container_id, stdout=True, stderr=True, stream=True, follow=True, timestamps=True
    )
    pending = b""
    for chunk in stream:
        pending += chunk
        while b"\n" in pending:
            raw, pending = pending.split(b"\n", 1)
            yield _timestamped(raw.decode("utf-8", "replace"))
    if pending:
        yield _timestamped(pending.decode("utf-8", "replace"))


def _timestamped(line: str) -> tuple[int, str]:
    stamp, _, message = line.partition(" ")
    try:
        # docker writes RFC 3339 with nanoseconds: keep microseconds for fromisoformat
        head, _, frac = stamp.rstrip("Z").partition(".")
        parsed = datetime.datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")
        return int(parsed.timestamp() * 1000), message
    except ValueError:
        return int(datetime.datetime.now(datetime.UTC).timestamp() * 1000), line


def ours(all_instances: bool = False) -> list[Any]:
    """This launcher's containers (by instance label), running or not."""
    filters = {"label": [f"{LABEL}=1"]}
    if not all_instances:
        filters["label"].append(f"{LABEL_INSTANCE}={SETTINGS.instance}")
    return client().containers.list(all=True, filters=filters)


def remove_all_ours() -> int:
    removed = 0
    for container in ours():
        remove(container.id)
        removed += 1
    return removed


def remove_orphans() -> int:
    """Containers left by launchers on this host that are no longer running."""
    removed = 0
    host = socket.gethostname()
    for container in ours(all_instances=True):
        labels = container.labels
        pid = labels.get(LABEL_PID, "")
        if labels.get(LABEL_HOST) != host or not pid.isdigit():
            continue
        if labels.get(LABEL_INSTANCE) == SETTINGS.instance or not _alive(int(pid)):
            remove(container.id)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

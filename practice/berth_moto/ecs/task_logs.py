"""A task's container output into the backend's CloudWatch Logs, as the awslogs driver writes it.

Stream name: ``<awslogs-stream-prefix>/<container name>/<task id>`` in ``awslogs-group`` of
``awslogs-region`` (the task's account). Without a prefix the driver names the stream after the
container id; ECS recommends the prefix, Berth always sets it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from moto.logs.models import logs_backends

from .. import containers, state

log = logging.getLogger("berth_moto.logs")

MISSING_GROUP = (
    "ResourceInitializationError: failed to validate logger args: create stream has been retried "
    "1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log "
    "group does not exist. : exit status 1"
)


def options(container_definition: dict[str, Any], task_region: str) -> dict[str, str] | None:
    config = container_definition.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    opts = dict(config.get("options") or {})
    opts.setdefault("awslogs-region", task_region)
    return opts


def stream_name(opts: dict[str, str], container_name: str, task_id: str, container_id: str) -> str:
    prefix = opts.get("awslogs-stream-prefix")
    return f"{prefix}/{container_name}/{task_id}" if prefix else container_id


def group_ready(account: str, opts: dict[str, str]) -> bool:
    """Whether the task can log: the group exists, or the driver may create it."""
    backend = logs_backends[account][opts["awslogs-region"]]
    if opts.get("awslogs-group") in backend.groups:
        return True
    if str(opts.get("awslogs-create-group", "")).lower() == "true":
        backend.ensure_log_group(opts["awslogs-group"])
        return True
    return False


def forward(account: str, opts: dict[str, str], stream: str, container_id: str) -> threading.Thread:
    """Copy the container's output into the stream until the container exits."""

    def run() -> None:
        try:
            for timestamp, message in containers.follow_logs(container_id):
                with state.LOCK:
                    backend = logs_backends[account][opts["awslogs-region"]]
                    group = opts["awslogs-group"]
                    if group not in backend.groups:
                        continue  # deleted while the task ran: the driver's writes fail too
                    backend.ensure_log_stream(group, stream)
                    backend.put_log_events(group, stream, [{"timestamp": timestamp, "message": message}])
        except Exception as error:  # the container was removed, the engine went away...
            log.debug("log forwarding for %s ended: %s", container_id[:12], error)

    thread = threading.Thread(target=run, name=f"logs-{container_id[:12]}", daemon=True)
    thread.start()
    return thread

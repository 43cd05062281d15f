"""Practice data kept between runs (``--state-file``).

moto holds everything in memory. When the backend stops (SIGTERM, SIGINT, SIGHUP) it writes its
accounts — roles, repositories, clusters, services, task definitions, logs, networks — and its own
bookkeeping to one pickle, and reads it back on the next start, so a practice account looks the
next day as it was left. The registry's images are on disk already (its storage folder).

What cannot survive a stop is what ran: the task containers are removed when the backend stops. So
a task still running at that moment is recorded as stopped, with a reason that says so, and its
network interface is released; a service that should run tasks starts new ones after the next
start, as ECS replaces tasks that stopped. The file is written through a temporary file, so a
crash while writing leaves the previous one.
"""

from __future__ import annotations

import copyreg
import datetime
import logging
import os
import pickle
import threading
import time
from pathlib import Path
from typing import Any

from moto.backends import get_backend

from . import state

log = logging.getLogger("berth_moto.persistence")

# The services practice mode uses (see src-tauri/core/src/aws/).
SERVICES = ("sts", "iam", "ecr", "ecs", "ec2", "logs", "cloudwatch", "applicationautoscaling")
FORMAT = 1

STOPPED_REASON = "Practice stopped: the practice backend shut down (Berth quit or practice was turned off)"
STOP_CODE = "TerminationNotice"

# Locks inside moto's objects (ECR's scanning configuration lock, ...) are saved as fresh ones.
copyreg.pickle(type(threading.RLock()), lambda _lock: (threading.RLock, ()))
copyreg.pickle(type(threading.Lock()), lambda _lock: (threading.Lock, ()))


def _end_running_tasks() -> int:
    """Record every task that has not stopped as stopped by the shutdown; release its network."""
    from moto.ec2.models import ec2_backends

    from . import addresses
    from .ecs import tasks

    now = datetime.datetime.now(datetime.UTC)
    ended = 0
    for runtime in list(tasks.RUNTIMES.values()):
        task = runtime.task
        if runtime.status != "STOPPED":
            ended += 1
            task.desired_status = "STOPPED"
            task.stopped_reason = task.stopped_reason or STOPPED_REASON
            task.stop_code = task.stop_code or STOP_CODE
            task.stopping_at = getattr(task, "stopping_at", None) or now
            task.execution_stopped_at = getattr(task, "execution_stopped_at", None) or now
            task.stopped_at = now
            task.connectivity = None
            task._status = "STOPPED"
            task.version = getattr(task, "version", 1) + 1
            for container in task.containers:
                if getattr(container, "last_status", None) != "STOPPED":
                    container.last_status = "STOPPED"
            for attachment in task.attachments:
                attachment["status"] = "DELETED"
        if runtime.eni is not None:
            ec2_backends[runtime.account][runtime.region].enis.pop(runtime.eni.id, None)
        addresses.release(runtime.address)
    tasks.RUNTIMES.clear()
    return ended


def save(path: str) -> None:
    """Write the state to ``path``. Ends the tasks that run (their containers go next)."""
    from . import ecr_images
    from .ecs import services
    from .rules import iam_consistency

    started = time.monotonic()
    with state.LOCK:
        ended = _end_running_tasks()
        data = {
            "format": FORMAT,
            "moto": {name: dict(get_backend(name)) for name in SERVICES},
            "services": dict(services.SERVICES),
            "accounts": dict(state.ACCOUNTS),
            "ecr_first_seen": dict(ecr_images._first_seen),
            "ecr_hidden_tags": dict(ecr_images._hidden_tags),
            "dead_keys": set(iam_consistency._DEAD_KEYS),
        }
        blob = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    # Only the user may read it: it holds the practice account's (fake) access keys.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(blob)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    log.info(
        "saved practice data to %s (%d bytes, %d running tasks ended) in %.2fs",
        target,
        len(blob),
        ended,
        time.monotonic() - started,
    )


def load(path: str) -> bool:
    """Read the state written by ``save``; False when there is none (a first start)."""
    from . import ecr_images
    from .ecs import services
    from .rules import iam_consistency

    target = Path(path)
    if not target.exists():
        return False
    started = time.monotonic()
    try:
        data: dict[str, Any] = pickle.loads(target.read_bytes())
    except Exception as error:
        # A file from another moto version, or damaged: keep it aside, start empty.
        aside = target.with_name(target.name + ".unreadable")
        os.replace(target, aside)
        log.warning("could not read %s (%s): kept as %s, starting with no data", target, error, aside)
        return False
    if data.get("format") != FORMAT:
        log.warning("%s has format %r, not %r: starting with no data", target, data.get("format"), FORMAT)
        return False
    with state.LOCK:
        for name, accounts in data["moto"].items():
            backends = get_backend(name)
            backends.clear()
            backends.update(accounts)
        now = time.monotonic()
        services.SERVICES.clear()
        for key, runtime in data["services"].items():
            # Monotonic times of the process that saved them mean nothing here.
            runtime.next_launch = 0.0
            runtime.steady_since = None
            if runtime.drain_started is not None:
                runtime.drain_started = now
            services.SERVICES[key] = runtime
        state.ACCOUNTS.clear()
        state.ACCOUNTS.update(data["accounts"])
        ecr_images._first_seen.clear()
        ecr_images._first_seen.update(data["ecr_first_seen"])
        ecr_images._hidden_tags.clear()
        ecr_images._hidden_tags.update(data["ecr_hidden_tags"])
        iam_consistency._DEAD_KEYS.clear()
        iam_consistency._DEAD_KEYS.update(data["dead_keys"])
    log.info("loaded practice data from %s in %.2fs", target, time.monotonic() - started)
    return True

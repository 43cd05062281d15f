"""The clock: moves tasks and services along, every ``scheduler_tick_s``, under the state lock."""

from __future__ import annotations

import logging
import threading

from . import state
from .ecs import services, tasks
from .settings import SETTINGS

log = logging.getLogger("berth_moto.scheduler")


def _run(stop: threading.Event) -> None:
    while not stop.is_set():
        with state.LOCK:
            tasks.tick()
            services.tick()
        stop.wait(SETTINGS.scheduler_tick_s)


def start() -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=_run, args=(stop,), name="scheduler", daemon=True).start()
    return stop

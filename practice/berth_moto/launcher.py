"""Assemble the backend: patch moto, start the scheduler, serve moto's HTTP API with /berth-api/."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from typing import Any

from .settings import SETTINGS

log = logging.getLogger("berth_moto")


def install() -> None:
    """Patch moto in this process. Import order matters: moto first, then the rules."""
    from moto.moto_api._internal.models import MotoAPIBackend

    from . import ecr_images, interceptor, rules  # noqa: F401
    from .ecs import patches  # noqa: F401

    interceptor.install()
    original_reset = MotoAPIBackend.reset

    def reset(self: Any) -> None:
        reset_ours()
        original_reset(self)

    MotoAPIBackend.reset = reset


def reset_ours() -> None:
    """Forget every task and service this backend runs, and remove their containers."""
    from . import addresses, containers, ecr_images, state
    from .ecs import services, tasks
    from .rules import iam_consistency

    with state.LOCK:
        tasks.reset()
        services.reset()
        addresses.reset()
        ecr_images.reset()
        iam_consistency.reset()
    if SETTINGS.containers:
        try:
            containers.remove_all_ours()
        except Exception as error:  # no engine: nothing of ours runs there
            log.warning("could not list containers to remove: %s", error)


def reset_all() -> None:
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()  # calls reset_ours through the patch


_scheduler_stop: Any = None
_exiting = False


def _cleanup_and_exit(signum: int, frame: Any) -> None:
    global _exiting
    if _exiting:  # a second signal while saving: the first one finishes
        return
    _exiting = True
    if _scheduler_stop is not None:
        _scheduler_stop.set()
    if SETTINGS.state_file:
        try:
            from . import persistence

            persistence.save(SETTINGS.state_file)
        except Exception:
            log.exception("could not save the practice data")
    log.info("signal %d: removing this backend's containers", signum)
    if SETTINGS.containers:
        try:
            from . import containers

            containers.remove_all_ours()
        except Exception as error:
            log.warning("cleanup failed: %s", error)
    os._exit(0)


def serve(host: str, port: int) -> None:
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from . import scheduler
    from .control import ControlApp

    if not SETTINGS.instance:
        SETTINGS.instance = f"{socket.gethostname()}-{os.getpid()}"
    install()
    if SETTINGS.containers:
        try:
            from . import containers

            removed = containers.remove_orphans()
            if removed:
                log.info("removed %d containers left by launchers that are gone", removed)
        except Exception as error:
            log.warning("Docker engine not reachable (%s): tasks will fail to start", error)
    if SETTINGS.state_file:
        from . import persistence

        persistence.load(SETTINGS.state_file)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _cleanup_and_exit)
    global _scheduler_stop
    _scheduler_stop = scheduler.start()
    app = ControlApp(DomainDispatcherApplication(create_backend_app), reset_all)
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    print(
        f"berth-moto: serving on http://{host}:{server.server_port} (instance {SETTINGS.instance})",
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        _cleanup_and_exit(signal.SIGTERM, None)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    # werkzeug logs every request at INFO, as moto_server does.
    logging.getLogger("werkzeug").setLevel(logging.INFO)

"""``/berth-api/``: the backend's own control endpoints, beside moto's ``/moto-api/``.

GET  /berth-api/                  status, rule ids
GET  /berth-api/settings          current settings (the registry password masked)
POST /berth-api/settings          {"iam_propagation_s": 0, ...}: change settings while running
GET  /berth-api/rules             the rule catalogue
GET  /berth-api/accounts/<id>     per-account settings
POST /berth-api/accounts/<id>     {"ecs_service_linked_role": true, "enabled_regions": ["af-south-1"]}
POST /berth-api/reset             like /moto-api/reset: wipes state, stops every task container
GET  /berth-api/tasks             the tasks being run: status, public IP, container ids
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from . import state
from .catalog import RULES
from .settings import SETTINGS


class ControlApp:
    """WSGI middleware: /berth-api/ here, everything else to moto."""

    def __init__(self, moto_app: Any, reset: Any):
        self.moto_app = moto_app
        self.reset = reset

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/berth-api"):
            return self.moto_app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
            status, payload = self.route(method, path.rstrip("/"), body)
        except (KeyError, ValueError, TypeError) as error:
            status, payload = 400, {"error": str(error)}
        data = json.dumps(payload, default=str, indent=1).encode()
        start_response(
            f"{status} {'OK' if status == 200 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        parts = path.split("/")[2:]  # after "", "berth-api"
        if not parts:
            return 200, {"status": "ok", "rules": list(RULES)}
        head = parts[0]
        if head == "settings":
            if method == "POST":
                with state.LOCK:
                    SETTINGS.update(body)
            return 200, SETTINGS.as_dict()
        if head == "rules":
            return 200, [dataclasses.asdict(r) for r in RULES.values()]
        if head == "accounts" and len(parts) == 2:
            with state.LOCK:
                account = state.account(parts[1])
                if method == "POST":
                    if "ecs_service_linked_role" in body:
                        account.ecs_service_linked_role = body["ecs_service_linked_role"]
                    if "enabled_regions" in body:
                        account.enabled_regions = list(body["enabled_regions"])
                return 200, dataclasses.asdict(account)
        if head == "reset" and method == "POST":
            self.reset()
            return 200, {"status": "ok"}
        if head == "tasks":
            from .ecs import tasks

            with state.LOCK:
                return 200, [
                    {
                        "taskArn": arn,
                        "lastStatus": r.status,
                        "publicIp": r.address,
                        "containers": r.container_ids,
                    }
                    for arn, r in tasks.RUNTIMES.items()
                ]
        return 404, {"error": f"no such endpoint: {method} {path}"}

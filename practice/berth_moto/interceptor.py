"""Every AWS call moto serves passes through here first.

``install()`` wraps moto's ``BaseResponse.call_action`` (the point where a request has been parsed
and is about to reach a backend method). Checks registered with ``@before(service, action)`` run
first and may raise ``AwsError``; backend patches may raise it too. Either way the error goes back
in the client's protocol. All of it runs under ``state.LOCK``.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from moto.core.parse import PROTOCOL_PARSERS
from moto.core.request import determine_request_protocol
from moto.core.responses import BaseResponse
from moto.core.utils import get_service_model

from . import errors, state

log = logging.getLogger("berth_moto")


class Call:
    """One AWS request, as the rules see it."""

    def __init__(self, response: BaseResponse):
        self.response = response
        self.service: str = response.service_name or ""
        self.action: str = response._get_action() or ""
        self.account: str = response.current_account
        self.region: str = response.region
        self.access_key: str = response.access_key
        content_type = response.headers.get("Content-Type", "") or ""
        if "json" in content_type:
            self.protocol = "json"
        elif self.service == "ec2":
            self.protocol = "ec2"
        else:
            self.protocol = "query"
        self._params: dict[str, Any] | None = None

    @property
    def operation_model(self) -> Any:
        return get_service_model(self.response.boto3_service_name).operation_model(self.action)

    @property
    def params(self) -> dict[str, Any]:
        """The request's members by their API names, parsed with the service's botocore model."""
        if self._params is None:
            self._params = self._parse()
        return self._params

    def _parse(self) -> dict[str, Any]:
        if self.protocol == "json":
            try:
                return json.loads(self.response.body or "{}") or {}
            except ValueError:
                return {}
        request = self.response.normalized_request
        service_model = get_service_model(self.response.boto3_service_name)
        protocol = determine_request_protocol(service_model, request.content_type)
        parser = PROTOCOL_PARSERS[protocol](self.operation_model, map_type=dict)
        parsed = parser.parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": request.data,
                "url_path": request.path,
                "url_params": {},
            }
        )
        return _plain(parsed)

    def caller_arn(self) -> str:
        from moto.iam.models import iam_backends

        key = iam_backends[self.account]["aws"].access_keys.get(self.access_key)
        if key is not None and key.user_name:
            return f"arn:aws:iam::{self.account}:user/{key.user_name}"
        return f"arn:aws:iam::{self.account}:user/berth-practice"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


Check = Callable[[Call], None]
_CHECKS: list[tuple[frozenset[str] | None, frozenset[str] | None, Check]] = []


def before(services: str | None = None, actions: str | None = None) -> Callable[[Check], Check]:
    """Register a check for the given services/actions (space separated; None = all)."""

    def register(check: Check) -> Check:
        _CHECKS.append(
            (
                frozenset(services.split()) if services else None,
                frozenset(actions.split()) if actions else None,
                check,
            )
        )
        return check

    return register


_original_call_action = BaseResponse.call_action
_current = threading.local()


def current_call() -> Call | None:
    """The request being served on this thread (backend patches read its raw parameters)."""
    return getattr(_current, "call", None)


def _call_action(self: BaseResponse) -> Any:
    with state.LOCK:
        call = Call(self)
        _current.call = call
        try:
            for services, actions, check in _CHECKS:
                if services is not None and call.service not in services:
                    continue
                if actions is not None and call.action not in actions:
                    continue
                check(call)
            return _original_call_action(self)
        except errors.AwsError as error:
            log.info("%s:%s -> %s: %s", call.service, call.action, error.code, error.message)
            return errors.render(call.protocol, error)
        finally:
            _current.call = None


def install() -> None:
    BaseResponse.call_action = _call_action


def patch(owner: type, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Replace ``owner.name`` with the decorated function, which gets the original first.

    Used for moto backend methods: ``@patch(EC2ContainerServiceBackend, "delete_cluster")``
    then ``def delete_cluster(original, self, cluster_str): ...``.
    """

    def wrap(replacement: Callable[..., Any]) -> Callable[..., Any]:
        original = getattr(owner, name)

        @functools.wraps(original)
        def patched(*args: Any, **kwargs: Any) -> Any:
            return replacement(original, *args, **kwargs)

        setattr(owner, name, patched)
        return replacement

    return wrap

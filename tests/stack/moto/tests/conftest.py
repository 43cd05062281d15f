"""Fixtures: one backend (``python -m berth_moto``) per test session on a free port, a registry
that stands in for ECR (the stack's when its env is sourced, else one started here), and a fresh
AWS account per test (an assumed role in a random account: nothing leaks between tests)."""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import docker
import pytest
from botocore.config import Config

MOTO_DIR = Path(__file__).resolve().parents[1]
STACK_DIR = MOTO_DIR.parent
# The backend is a part of the product (practice mode): its package lives in practice/.
PACKAGE_DIR = STACK_DIR.parents[1] / "practice"
TEST_IMAGE = "berth-test/busybox:latest"

# Fast timings: the suite waits for real transitions, so they are short, but not zero.
TIMINGS = {
    "BERTH_MOTO_TASK_PROVISION_S": "0.2",
    "BERTH_MOTO_TASK_PENDING_MIN_S": "0.2",
    "BERTH_MOTO_TASK_STOP_STEP_S": "0.2",
    "BERTH_MOTO_CONTAINER_STOP_TIMEOUT_S": "1",
    "BERTH_MOTO_STEADY_STATE_S": "0.5",
    "BERTH_MOTO_SERVICE_DRAIN_S": "1",
    "BERTH_MOTO_SERVICE_RETRY_S": "1",
    "BERTH_MOTO_IAM_PROPAGATION_S": "1.5",
    "BERTH_MOTO_SLR_PROPAGATION_S": "1.5",
    "BERTH_MOTO_ENI_LINGER_S": "1.5",
}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(
    url: str,
    ok: tuple[int, ...],
    timeout: float,
    proc: subprocess.Popen | None = None,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(
                f"{url}: process exited {proc.returncode}\n{log.read_text()[-3000:] if log else ''}"
            )
        try:
            with NO_PROXY.open(url, timeout=2) as response:
                if response.status in ok:
                    return
        except urllib.error.HTTPError as error:
            if error.code in ok:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s")


@dataclass
class Registry:
    address: str
    user: str
    password: str

    @property
    def auth(self) -> dict[str, str]:
        return {"username": self.user, "password": self.password}


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if os.environ.get("BERTH_TEST_REGISTRY") and os.environ.get("BERTH_TEST_REGISTRY_PASSWORD"):
        yield Registry(
            os.environ["BERTH_TEST_REGISTRY"],
            os.environ["BERTH_TEST_REGISTRY_USER"],
            os.environ["BERTH_TEST_REGISTRY_PASSWORD"],
        )
        return
    if not shutil.which("docker-registry") or not shutil.which("htpasswd"):
        pytest.fail("docker-registry and htpasswd are needed (scripts/install-deps.sh)")
    work = tmp_path_factory.mktemp("registry")
    user, password = "AWS", uuid.uuid4().hex
    htpasswd = subprocess.run(
        ["htpasswd", "-Bbn", user, password], check=True, capture_output=True, text=True
    ).stdout
    (work / "htpasswd").write_text(htpasswd)
    address = f"127.0.0.1:{free_port()}"
    (work / "config.yml").write_text(
        "version: 0.1\n"
        f"storage:\n  filesystem:\n    rootdirectory: {work / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: {address}\n  secret: {uuid.uuid4().hex}\n"
        f"auth:\n  htpasswd:\n    realm: berth-moto-tests\n    path: {work / 'htpasswd'}\n"
    )
    log = work / "registry.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["docker-registry", "serve", str(work / "config.yml")], stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_http(f"http://{address}/v2/", (401,), 15, proc, log)
        yield Registry(address, user, password)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def engine() -> docker.DockerClient:
    client = docker.from_env()
    client.ping()
    try:
        client.images.get(TEST_IMAGE)
    except docker.errors.ImageNotFound:
        context = Path(tempfile.mkdtemp())
        shutil.copy(STACK_DIR / "busybox" / "Dockerfile", context)
        shutil.copy("/bin/busybox", context)
        client.images.build(path=str(context), tag=TEST_IMAGE, rm=True)
        shutil.rmtree(context)
    return client


class Backend:
    def __init__(self, url: str, instance: str, log: Path):
        self.url = url
        self.instance = instance
        self.log = log

    def api(self, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method="POST" if body is not None else "GET"
        )
        with NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def api_post(self, path: str) -> None:
        request = urllib.request.Request(f"{self.url}{path}", data=b"", method="POST")
        with NO_PROXY.open(request, timeout=120):
            pass

    def account_with_slr(self) -> Account:
        made = new_account(self)
        self.account(made.id, ecs_service_linked_role=True)
        return made

    def settings(self, **values: Any) -> dict[str, Any]:
        return self.api("/berth-api/settings", values)

    def account(self, account_id: str, **values: Any) -> dict[str, Any]:
        return self.api(f"/berth-api/accounts/{account_id}", values)

    def client(self, service: str, keys: dict[str, str] | None = None, region: str = "us-east-1") -> Any:
        keys = keys or {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, parameter_validation=False),
            **keys,
        )


def start_backend(
    registry: Registry, work: Path, extra: tuple[str, ...] = (), instance: str | None = None
) -> tuple[subprocess.Popen, Backend]:
    port = free_port()
    instance = instance or f"pytest-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, **TIMINGS, BERTH_MOTO_REGISTRY_PASSWORD=registry.password)
    env.pop("BERTH_MOTO_SLR_ACCOUNTS", None)
    log = work / "backend.log"
    with open(log, "a") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "berth_moto",
                "--port",
                str(port),
                "--registry",
                registry.address,
                "--registry-user",
                registry.user,
                "--instance",
                instance,
                *extra,
            ],
            cwd=PACKAGE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_http(f"{url}/berth-api/", (200,), 60, proc, log)
    return proc, Backend(url, instance, log)


def stop_backend(proc: subprocess.Popen, backend: Backend, engine: docker.DockerClient) -> None:
    proc.terminate()
    proc.wait(30)
    left = engine.containers.list(all=True, filters={"label": f"berth.moto.instance={backend.instance}"})
    for container in left:
        container.remove(force=True)
    assert not left, f"the backend left {len(left)} containers behind"


@pytest.fixture(scope="session")
def backend(registry: Registry, engine: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> Any:
    proc, made = start_backend(registry, tmp_path_factory.mktemp("backend"))
    try:
        yield made
    finally:
        stop_backend(proc, made, engine)


@pytest.fixture
def own_backend(registry: Registry, engine: docker.DockerClient, tmp_path: Path) -> Any:
    """A backend for one test only (for what would disturb the others, e.g. a reset)."""
    proc, made = start_backend(registry, tmp_path)
    try:
        yield made
    finally:
        stop_backend(proc, made, engine)


@dataclass
class Account:
    id: str
    keys: dict[str, str]
    backend: Backend

    def client(self, service: str, region: str = "us-east-1") -> Any:
        return self.backend.client(service, self.keys, region)


def new_account(backend: Backend) -> Account:
    account_id = str(random.randint(10**11, 10**12 - 1))
    sts = backend.client("sts")
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/berth-tests", RoleSessionName="tests"
    )["Credentials"]
    keys = {
        "aws_access_key_id": credentials["AccessKeyId"],
        "aws_secret_access_key": credentials["SecretAccessKey"],
        "aws_session_token": credentials["SessionToken"],
    }
    return Account(account_id, keys, backend)


@pytest.fixture
def account(backend: Backend) -> Account:
    """A brand-new account: no ECS service-linked role, no opt-in region enabled."""
    return new_account(backend)


@pytest.fixture
def ecs_account(backend: Backend) -> Account:
    """A new account set up as one that already has the ECS service-linked role."""
    made = new_account(backend)
    backend.account(made.id, ecs_service_linked_role=True)
    return made


@pytest.fixture
def settings(backend: Backend) -> Any:
    """Change backend settings for one test; they are put back afterwards."""
    before = backend.api("/berth-api/settings")
    changed: list[str] = []

    def change(**values: Any) -> None:
        changed.extend(values)
        backend.settings(**values)

    yield change
    if changed:
        backend.settings(**{k: before[k] for k in changed})

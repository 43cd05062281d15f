"""What many tests do: wait, make a Fargate task definition, push an image, read an answer."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

TEST_IMAGE = "berth-test/busybox:latest"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# A tiny web server: writes $GREETING (or "hello") to index.html and serves it on port 8080.
HTTPD = [
    "sh",
    "-c",
    'echo "${GREETING:-hello}" > /tmp/index.html && echo serving && exec httpd -f -p 8080 -h /tmp',
]


def name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(what: str, probe: Callable[[], Any], timeout: float = 30, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def error_of(call: Callable[[], Any]) -> ClientError:
    """The ClientError the call raises (fails the test if it succeeds)."""
    try:
        call()
    except ClientError as error:
        return error
    pytest.fail("the call succeeded; AWS refuses it")


def code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def message(error: ClientError) -> str:
    return error.response["Error"].get("Message", "")


def status(error: ClientError) -> int:
    return error.response["ResponseMetadata"]["HTTPStatusCode"]


def network(account: Any, public_ip: bool = True, group: str | None = None) -> dict[str, Any]:
    ec2 = account.client("ec2")
    subnets = [
        s["SubnetId"]
        for s in ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    ]
    config: dict[str, Any] = {
        "subnets": subnets[:2],
        "assignPublicIp": "ENABLED" if public_ip else "DISABLED",
    }
    if group:
        config["securityGroups"] = [group]
    return {"awsvpcConfiguration": config}


def fargate_definition(
    ecs: Any,
    family: str,
    image: str = TEST_IMAGE,
    command: list[str] | None = None,
    environment: dict[str, str] | None = None,
    port: int | None = 8080,
    memory: str = "512",
    log_group: str | None = None,
    execution_role: str | None = None,
) -> str:
    container: dict[str, Any] = {"name": "app", "image": image, "essential": True}
    if command:
        container["command"] = command
    if environment:
        container["environment"] = [{"name": k, "value": v} for k, v in environment.items()]
    if port:
        container["portMappings"] = [{"containerPort": port, "protocol": "tcp"}]
    if log_group:
        container["logConfiguration"] = {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": "us-east-1",
                "awslogs-stream-prefix": "ecs",
            },
        }
    extra = {"executionRoleArn": execution_role} if execution_role else {}
    definition = ecs.register_task_definition(
        family=family,
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory=memory,
        containerDefinitions=[container],
        **extra,
    )
    return definition["taskDefinition"]["taskDefinitionArn"]


def execution_role(
    account: Any, role_name: str | None = None, service: str = "ecs-tasks.amazonaws.com"
) -> str:
    iam = account.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    return iam.create_role(RoleName=role_name or name("exec"), AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]


def describe_task(ecs: Any, cluster: str, arn: str) -> dict[str, Any]:
    return ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"][0]


def wait_task(ecs: Any, cluster: str, arn: str, status: str, timeout: float = 30) -> dict[str, Any]:
    return wait_for(
        f"task {arn.rsplit('/', 1)[-1]} {status}",
        lambda: (lambda t: t if t["lastStatus"] == status else None)(describe_task(ecs, cluster, arn)),
        timeout,
    )


def public_ip(account: Any, task: dict[str, Any]) -> str | None:
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    eni = account.client("ec2").describe_network_interfaces(
        NetworkInterfaceIds=[details["networkInterfaceId"]]
    )
    return eni["NetworkInterfaces"][0].get("Association", {}).get("PublicIp")


def http_get(url: str, timeout: float = 3) -> str:
    with NO_PROXY.open(url, timeout=timeout) as response:
        return response.read().decode()


def push(engine: Any, registry: Any, repository: str, tag: str, source: str = TEST_IMAGE) -> str:
    """Push a local image to the registry standing in for ECR; return its digest."""
    target = f"{registry.address}/{repository}"
    engine.images.get(source).tag(target, tag)
    digest = ""
    for event in engine.api.push(target, tag=tag, auth_config=registry.auth, stream=True, decode=True):
        if "error" in event:
            raise RuntimeError(event["error"])
        digest = event.get("aux", {}).get("Digest", digest)
    engine.images.remove(f"{target}:{tag}")
    return digest


def ecr_image(account: Any, engine: Any, registry: Any, tag: str = "v1", source: str = TEST_IMAGE) -> str:
    """An ECR repository in the account with an image pushed to it; the image URI."""
    repository = name("app")
    account.client("ecr").create_repository(repositoryName=repository)
    push(engine, registry, repository, tag, source)
    return f"{account.id}.dkr.ecr.us-east-1.amazonaws.com/{repository}:{tag}"

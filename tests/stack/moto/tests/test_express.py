"""ECS Express Mode: a model on moto's ECS (rules ecs.express.*)."""

import re
import time

from helpers import HTTPD, TEST_IMAGE, code, error_of, execution_role, message, name, wait_for

URL = re.compile(r"https://[a-z0-9-]+-[0-9a-f]{32}\.ecs\.us-east-1\.on\.aws")


def _roles(account, settings=None):
    if settings is not None:
        settings(iam_propagation_s=0)
    infrastructure = execution_role(account, name("infra"), service="ecs.amazonaws.com")
    execution = execution_role(account, name("exec"))
    return infrastructure, execution


def _create(ecs, infrastructure, execution, service="web", **extra):
    container = {"image": TEST_IMAGE, "containerPort": 8080, "command": HTTPD}
    container.update(extra.pop("container", {}))
    return ecs.create_express_gateway_service(
        serviceName=service,
        infrastructureRoleArn=infrastructure,
        executionRoleArn=execution,
        primaryContainer=container,
        tags=[{"key": "berth:managed", "value": "true"}],
        **extra,
    )["service"]


def _ecs_service(ecs, arn):
    return ecs.describe_services(cluster="default", services=[arn])["services"][0]


def _ready(ecs, arn):
    service = _ecs_service(ecs, arn)
    primary = service["deployments"][0]
    return service["runningCount"] >= 1 and primary["rolloutState"] == "COMPLETED"


def test_express_service_runs_with_an_https_url(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, execution = _roles(ecs_account, settings)
    created = _create(ecs, infrastructure, execution)
    assert created["status"]["statusCode"] == "ACTIVE"
    assert created["infrastructureRoleArn"] == infrastructure
    [config] = created["activeConfigurations"]
    [path] = config["ingressPaths"]
    assert path["accessType"] == "PUBLIC" and URL.fullmatch(path["endpoint"]), path
    assert (config["cpu"], config["memory"], config["healthCheckPath"]) == ("256", "512", "/ping")
    # The ECS service behind it is managed by ECS, in the default VPC with a public IP.
    service = _ecs_service(ecs, created["serviceArn"])
    assert service["resourceManagementType"] == "ECS"
    assert service["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED"
    wait_for("deployment COMPLETED", lambda: _ready(ecs, created["serviceArn"]), 60)
    described = ecs.describe_express_gateway_service(serviceArn=created["serviceArn"], include=["TAGS"])
    assert described["service"]["activeConfigurations"][0]["ingressPaths"][0]["endpoint"] == path["endpoint"]
    assert {"key": "berth:managed", "value": "true"} in described["service"]["tags"]
    definition = ecs.describe_task_definition(taskDefinition=config["taskDefinitionArn"])["taskDefinition"]
    [main] = definition["containerDefinitions"]
    assert (main["name"], main["image"], main["portMappings"][0]["containerPort"]) == ("Main", TEST_IMAGE, 8080)
    # A second create with the same name is refused while the first is ACTIVE.
    error = error_of(lambda: _create(ecs, infrastructure, execution))
    assert code(error) == "InvalidParameterException"


def test_infrastructure_role_must_exist_and_trust_ecs(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    _, execution = _roles(ecs_account, settings)
    missing = f"arn:aws:iam::{ecs_account.id}:role/nobody"
    error = error_of(lambda: _create(ecs, missing, execution))
    assert code(error) == "InvalidParameterException" and "infrastructure role" in message(error)
    # A role that trusts ecs-tasks (an execution role) is not an infrastructure role.
    error = error_of(lambda: _create(ecs, execution, execution))
    assert code(error) == "InvalidParameterException" and "ecs.amazonaws.com" in message(error)


def test_execution_role_is_needed_with_a_primary_container(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, _ = _roles(ecs_account, settings)

    def without():
        return ecs.create_express_gateway_service(
            serviceName="web", infrastructureRoleArn=infrastructure, primaryContainer={"image": TEST_IMAGE}
        )

    error = error_of(without)
    assert code(error) == "InvalidParameterException" and "execution role" in message(error)


def test_new_role_cannot_be_passed_at_once(ecs_account, settings):
    settings(iam_propagation_s=30)
    ecs = ecs_account.client("ecs")
    infrastructure = execution_role(ecs_account, name("infra"), service="ecs.amazonaws.com")
    execution = execution_role(ecs_account, name("exec"))
    error = error_of(lambda: _create(ecs, infrastructure, execution))
    assert code(error) == "AccessDeniedException" and "iam:PassRole" in message(error)


def test_container_or_task_definition(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, execution = _roles(ecs_account, settings)
    error = error_of(
        lambda: ecs.create_express_gateway_service(serviceName="web", infrastructureRoleArn=infrastructure)
    )
    assert code(error) == "InvalidParameterException"
    definition = f"arn:aws:ecs:us-east-1:{ecs_account.id}:task-definition/x:1"
    error = error_of(
        lambda: ecs.create_express_gateway_service(
            serviceName="web",
            infrastructureRoleArn=infrastructure,
            taskDefinitionArn=definition,
            cpu="512",
        )
    )
    assert code(error) == "InvalidParameterException" and "cpu" in message(error)


def test_size_and_health_check_path(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, execution = _roles(ecs_account, settings)
    error = error_of(lambda: _create(ecs, infrastructure, execution, cpu="256", memory="4096"))
    assert code(error) == "ClientException" and "No Fargate configuration" in message(error)
    error = error_of(lambda: _create(ecs, infrastructure, execution, healthCheckPath="health"))
    assert code(error) == "InvalidParameterException"
    made = _create(ecs, infrastructure, execution, cpu="512", memory="1024", healthCheckPath="/health")
    config = made["activeConfigurations"][0]
    assert (config["cpu"], config["memory"], config["healthCheckPath"]) == ("512", "1024", "/health")


def test_update_rolls_a_new_revision(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, execution = _roles(ecs_account, settings)
    created = _create(ecs, infrastructure, execution)
    arn = created["serviceArn"]
    wait_for("first deployment COMPLETED", lambda: _ready(ecs, arn), 60)
    first = created["activeConfigurations"][0]
    updated = ecs.update_express_gateway_service(
        serviceArn=arn,
        primaryContainer={"image": TEST_IMAGE, "environment": [{"name": "GREETING", "value": "v2"}]},
    )["service"]
    target = updated["targetConfiguration"]
    assert target["serviceRevisionArn"] != first["serviceRevisionArn"]
    assert target["taskDefinitionArn"] != first["taskDefinitionArn"]
    # Members not given keep their values (the port and command of the first revision).
    assert target["primaryContainer"]["containerPort"] == 8080
    service = _ecs_service(ecs, arn)
    assert service["deployments"][0]["taskDefinition"] == target["taskDefinitionArn"]
    assert service["deployments"][0]["rolloutState"] == "IN_PROGRESS"
    wait_for("second deployment COMPLETED", lambda: _ready(ecs, arn), 60)
    described = ecs.describe_express_gateway_service(serviceArn=arn)["service"]
    assert described["currentDeployment"] == target["serviceRevisionArn"]


def test_delete_drains_then_inactive(ecs_account, settings):
    ecs = ecs_account.client("ecs")
    infrastructure, execution = _roles(ecs_account, settings)
    arn = _create(ecs, infrastructure, execution)["serviceArn"]
    deleted = ecs.delete_express_gateway_service(serviceArn=arn)["service"]
    assert deleted["status"]["statusCode"] == "DRAINING"
    error = error_of(lambda: ecs.update_express_gateway_service(serviceArn=arn, cpu="512", memory="1024"))
    assert code(error) == "ServiceNotActiveException"
    error = error_of(lambda: ecs.delete_express_gateway_service(serviceArn=arn))
    assert code(error) == "ServiceNotActiveException"

    def status():
        return ecs.describe_express_gateway_service(serviceArn=arn)["service"]["status"]["statusCode"]

    wait_for("INACTIVE", lambda: status() == "INACTIVE", 30)
    unknown = arn.rsplit("/", 1)[0] + "/nothing"
    error = error_of(lambda: ecs.describe_express_gateway_service(serviceArn=unknown))
    assert code(error) == "ResourceNotFoundException"
    error = error_of(lambda: ecs.delete_express_gateway_service(serviceArn=unknown))
    assert code(error) == "ServiceNotFoundException"
    time.sleep(0)  # nothing left running: the cluster's services are all INACTIVE

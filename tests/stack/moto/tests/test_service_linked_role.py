"""A new account has no ECS service-linked role (rules ecs.service-linked-role.required and
iam.service-linked-role.taken)."""

import time

from helpers import code, error_of, fargate_definition, message, name, network

SLR_MESSAGE = (
    "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
)
PROPAGATION = 1.6  # a little more than the suite's slr_propagation_s


def _role_exists(account):
    iam = account.client("iam")
    try:
        iam.get_role(RoleName="AWSServiceRoleForECS")
        return True
    except iam.exceptions.NoSuchEntityException:
        return False


def test_first_create_cluster_fails_then_succeeds(account):
    ecs = account.client("ecs")
    assert not _role_exists(account)
    error = error_of(lambda: ecs.create_cluster(clusterName="first"))
    assert code(error) == "InvalidParameterException"
    assert message(error) == SLR_MESSAGE
    assert _role_exists(account)  # CreateCluster asked IAM for it...
    assert code(error_of(lambda: ecs.create_cluster(clusterName="first"))) == "InvalidParameterException"
    time.sleep(PROPAGATION)  # ...and it is usable once it has propagated
    assert ecs.create_cluster(clusterName="first")["cluster"]["status"] == "ACTIVE"


def test_new_account_cannot_create_service_or_run_task(account):
    ecs = account.client("ecs")
    account.client("iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    time.sleep(PROPAGATION)
    cluster = name("c")
    ecs.create_cluster(clusterName=cluster)
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "30"])
    account.client("iam").delete_service_linked_role(RoleName="AWSServiceRoleForECS")
    for call in (
        lambda: ecs.create_service(
            cluster=cluster,
            serviceName=name("s"),
            taskDefinition=family,
            desiredCount=1,
            launchType="FARGATE",
            networkConfiguration=network(account),
        ),
        lambda: ecs.run_task(
            cluster=cluster,
            taskDefinition=family,
            launchType="FARGATE",
            networkConfiguration=network(account),
        ),
    ):
        error = error_of(call)
        assert (code(error), message(error)) == ("InvalidParameterException", SLR_MESSAGE)


def test_create_service_linked_role_then_wait(account):
    iam = account.client("iam")
    ecs = account.client("ecs")
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForECS"
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert code(error_of(lambda: ecs.create_cluster(clusterName="c"))) == "InvalidParameterException"
    time.sleep(PROPAGATION)
    ecs.create_cluster(clusterName="c")


def test_create_service_linked_role_twice(account):
    iam = account.client("iam")
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    error = error_of(lambda: iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com"))
    assert code(error) == "InvalidInput"
    assert (
        message(error)
        == "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix."
    )


def test_account_set_up_with_the_role(ecs_account):
    # The opt-in for tests that are not about the role: it exists, old enough to be used.
    assert _role_exists(ecs_account)
    ecs_account.client("ecs").create_cluster(clusterName="c")
    assert (
        code(
            error_of(
                lambda: ecs_account.client("iam").create_service_linked_role(
                    AWSServiceName="ecs.amazonaws.com"
                )
            )
        )
        == "InvalidInput"
    )

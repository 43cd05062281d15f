"""Task definition revisions as a roll back reads and uses them (API reference: TaskDefinition,
ListTaskDefinitions, DeregisterTaskDefinition)."""

import datetime

import pytest
from helpers import code, error_of, fargate_definition, message, name, network


@pytest.fixture
def cluster(ecs_account):
    cluster_name = name("c")
    ecs_account.client("ecs").create_cluster(clusterName=cluster_name)
    return cluster_name


def test_a_revision_records_when_and_by_whom_it_was_registered(ecs_account):
    ecs = ecs_account.client("ecs")
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    arn = fargate_definition(ecs, name("web"))
    after = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)
    described = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
    # The tests' accounts are sessions of an assumed role (conftest.new_account).
    assert described["registeredBy"] == f"arn:aws:sts::{ecs_account.id}:assumed-role/berth-tests/tests"
    assert before <= described["registeredAt"] <= after


def test_list_task_definitions_sorts_and_pages(ecs_account):
    ecs = ecs_account.client("ecs")
    family = name("web")
    other = "a" + name("other")  # sorts before `family`
    fargate_definition(ecs, other)
    for _ in range(3):
        fargate_definition(ecs, family)

    def listed(**params):
        answer = ecs.list_task_definitions(familyPrefix=family, **params)
        return [arn.rsplit("/", 1)[-1] for arn in answer["taskDefinitionArns"]], answer.get("nextToken")

    assert listed() == ([f"{family}:1", f"{family}:2", f"{family}:3"], None)
    assert listed(sort="DESC") == ([f"{family}:3", f"{family}:2", f"{family}:1"], None)
    first, token = listed(sort="DESC", maxResults=2)
    assert first == [f"{family}:3", f"{family}:2"]
    assert token
    assert listed(sort="DESC", maxResults=2, nextToken=token) == ([f"{family}:1"], None)
    # Without a family: by family name, then revision.
    everything = ecs.list_task_definitions(sort="DESC")["taskDefinitionArns"]
    names = [arn.rsplit("/", 1)[-1] for arn in everything]
    assert names.index(f"{family}:1") < names.index(f"{other}:1")


def test_an_inactive_revision_cannot_be_deployed(ecs_account, cluster):
    ecs = ecs_account.client("ecs")
    family = name("web")
    first = fargate_definition(ecs, family)
    second = fargate_definition(ecs, family)
    service = name("s")
    ecs.create_service(
        cluster=cluster,
        serviceName=service,
        taskDefinition=second,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=network(ecs_account),
    )
    ecs.deregister_task_definition(taskDefinition=first)

    error = error_of(lambda: ecs.update_service(cluster=cluster, service=service, taskDefinition=first))
    assert code(error) == "InvalidParameterException"
    assert message(error) == "TaskDefinition is inactive"
    error = error_of(
        lambda: ecs.run_task(
            cluster=cluster,
            taskDefinition=f"{family}:1",
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"
    error = error_of(
        lambda: ecs.create_service(
            cluster=cluster,
            serviceName=name("s"),
            taskDefinition=first,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=network(ecs_account),
        )
    )
    assert code(error) == "InvalidParameterException"

    # An ACTIVE revision still deploys; a service on a revision deregistered later still scales.
    third = fargate_definition(ecs, family)
    ecs.update_service(cluster=cluster, service=service, taskDefinition=third)
    ecs.deregister_task_definition(taskDefinition=third)
    ecs.update_service(cluster=cluster, service=service, desiredCount=0)

"""ENIs linger; groups in use cannot be deleted (rules ec2.security-group.in-use, ec2.eni.lingers-after-task)."""

import time

from helpers import code, error_of, fargate_definition, name, network, wait_for, wait_task


def _task_with_group(account):
    ec2 = account.client("ec2")
    ecs = account.client("ecs")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName=name("web"), Description="web", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="c")
    family = name("web")
    fargate_definition(ecs, family, command=["sleep", "120"], port=None)
    arn = ecs.run_task(
        cluster="c",
        taskDefinition=family,
        launchType="FARGATE",
        networkConfiguration=network(account, group=group),
    )["tasks"][0]["taskArn"]
    return ec2, ecs, group, arn


def test_delete_security_group_in_use(ecs_account):
    ec2, ecs, group, arn = _task_with_group(ecs_account)
    error = error_of(lambda: ec2.delete_security_group(GroupId=group))
    assert code(error) == "DependencyViolation"
    assert error.response["Error"]["Message"] == f"resource {group} has a dependent object"
    ecs.stop_task(cluster="c", task=arn)
    wait_task(ecs, "c", arn, "STOPPED")
    wait_for("the group to be free", lambda: _deleted(ec2, group), 15)


def _deleted(ec2, group):
    try:
        ec2.delete_security_group(GroupId=group)
        return True
    except Exception:
        return False


def test_eni_lingers_after_the_task_stops(ecs_account):
    ec2, ecs, group, arn = _task_with_group(ecs_account)
    task = wait_task(ecs, "c", arn, "RUNNING")
    eni = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}["networkInterfaceId"]
    ecs.stop_task(cluster="c", task=arn)
    wait_task(ecs, "c", arn, "STOPPED")
    started = time.monotonic()
    assert ec2.describe_network_interfaces(Filters=[{"Name": "network-interface-id", "Values": [eni]}])[
        "NetworkInterfaces"
    ]
    assert code(error_of(lambda: ec2.delete_security_group(GroupId=group))) == "DependencyViolation"
    wait_for(
        "the ENI to go",
        lambda: (
            not ec2.describe_network_interfaces(Filters=[{"Name": "network-interface-id", "Values": [eni]}])[
                "NetworkInterfaces"
            ]
        ),
        15,
    )
    assert time.monotonic() - started >= 1.0  # the suite's eni_linger_s is 1.5
    ec2.delete_security_group(GroupId=group)


def test_security_group_names(account):
    ec2 = account.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    for group_name, description in (("sg-web", "web"), ("web" * 90, "web"), ("web", "Berth 웹")):
        error = error_of(
            lambda: ec2.create_security_group(GroupName=group_name, Description=description, VpcId=vpc)
        )
        assert code(error) == "InvalidParameterValue", group_name
    default = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}, {"Name": "vpc-id", "Values": [vpc]}]
    )["SecurityGroups"][0]["GroupId"]
    error = error_of(lambda: ec2.delete_security_group(GroupId=default))
    assert code(error) == "CannotDelete"
    ec2.create_security_group(
        GroupName="berth-web (8080)", Description="Berth: port 8080 from anywhere", VpcId=vpc
    )


def test_tags_with_aws_prefix(account):
    ec2 = account.client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    error = error_of(lambda: ec2.create_tags(Resources=[vpc], Tags=[{"Key": "aws:app", "Value": "x"}]))
    assert code(error) == "InvalidParameterValue"
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "berth:app", "Value": "x"}])

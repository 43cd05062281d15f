"""Documented length / pattern / range / enum constraints (rule all.input-constraints)."""

from helpers import code, error_of, message, name


def test_iam_role_name_longer_than_64(account):
    iam = account.client("iam")
    error = error_of(lambda: iam.create_role(RoleName="r" * 65, AssumeRolePolicyDocument="{}"))
    assert code(error) == "ValidationError"
    assert message(error) == (
        f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    iam.create_role(RoleName=name("ok"), AssumeRolePolicyDocument="{}")  # a valid one passes


def test_logs_group_name_pattern(account):
    logs = account.client("logs")
    error = error_of(lambda: logs.create_log_group(logGroupName="my app logs"))
    assert code(error) == "InvalidParameterException"
    assert (
        "at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern"
        in message(error)
    )
    logs.create_log_group(logGroupName=f"/berth/{name('ok')}")


def test_ecr_repository_name_too_short(account):
    ecr = account.client("ecr")
    error = error_of(lambda: ecr.create_repository(repositoryName="a"))
    assert code(error) == "InvalidParameterException"
    assert message(error) == (
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: "
        "'must have length greater than or equal to 2'"
    )


def test_ec2_max_results_below_5(account):
    ec2 = account.client("ec2")
    error = error_of(lambda: ec2.describe_vpcs(MaxResults=1))
    assert code(error) == "InvalidParameterValue"
    assert "Parameter must be between 5 and 1000" in message(error)
    ec2.describe_vpcs(MaxResults=5)


def test_ecs_enum_value(account):
    ecs = account.client("ecs")
    error = error_of(lambda: ecs.list_tasks(desiredStatus="FINISHED"))
    assert code(error) == "InvalidParameterException"
    assert "Member must satisfy enum value set: [RUNNING, PENDING, STOPPED]" in message(error)

"""CloudWatch Logs parameter rules (logs.retention-values, logs.group-name-or-identifier)."""

from helpers import code, error_of, name


def test_retention_values(account):
    logs = account.client("logs")
    group = f"/berth/{name('app')}"
    logs.create_log_group(logGroupName=group)
    assert (
        code(error_of(lambda: logs.put_retention_policy(logGroupName=group, retentionInDays=10)))
        == "InvalidParameterException"
    )
    logs.put_retention_policy(logGroupName=group, retentionInDays=14)
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"] == 14


def test_group_name_or_identifier(account):
    logs = account.client("logs")
    group = f"/berth/{name('app')}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="ecs/app/1")
    arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["arn"].removesuffix(":*")
    for call in (
        lambda: logs.get_log_events(logGroupName=group, logGroupIdentifier=arn, logStreamName="ecs/app/1"),
        lambda: logs.get_log_events(logStreamName="ecs/app/1"),
        lambda: logs.describe_log_streams(logGroupName=group, logGroupIdentifier=arn),
        lambda: logs.filter_log_events(
            logGroupName=group, logStreamNames=["ecs/app/1"], logStreamNamePrefix="ecs/"
        ),
    ):
        assert code(error_of(call)) == "InvalidParameterException"
    logs.get_log_events(logGroupName=group, logStreamName="ecs/app/1")
    logs.filter_log_events(logGroupName=group, logStreamNamePrefix="ecs/")

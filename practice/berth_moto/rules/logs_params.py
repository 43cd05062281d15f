"""CloudWatch Logs request parameters AWS refuses and moto accepts."""

from __future__ import annotations

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before

REF = "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference"
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

RETENTION = rule(
    "logs.retention-values",
    "PutRetentionPolicy accepts only the listed retentionInDays values",
    "logs:PutRetentionPolicy",
    "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, "
    "1827, 2192, 2557, 2922, 3288, and 3653.",
    f"{REF}/API_PutRetentionPolicy.html",
    "test_logs_params.py::test_retention_values",
)
GROUP_NAME_OR_ID = rule(
    "logs.group-name-or-identifier",
    "GetLogEvents, FilterLogEvents and DescribeLogStreams need exactly one of logGroupName and "
    "logGroupIdentifier; FilterLogEvents refuses logStreamNames together with logStreamNamePrefix",
    "logs:GetLogEvents logs:FilterLogEvents logs:DescribeLogStreams",
    "You must include either logGroupIdentifier or logGroupName, but not both. / If you specify a "
    "value for both logStreamNames and logStreamNamePrefix, the action returns an "
    "InvalidParameterException error.",
    f"{REF}/API_FilterLogEvents.html",
    "test_logs_params.py::test_group_name_or_identifier",
)


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


@before("logs", "PutRetentionPolicy")
def retention(call: Call) -> None:
    days = call.params.get("retentionInDays")
    if RETENTION.enabled and days is not None and days not in RETENTION_DAYS:
        raise _invalid(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy "
            f"constraint: Member must satisfy enum value set: [{', '.join(map(str, RETENTION_DAYS))}]"
        )


@before("logs", "GetLogEvents FilterLogEvents DescribeLogStreams")
def group_name_or_identifier(call: Call) -> None:
    if not GROUP_NAME_OR_ID.enabled:
        return
    p = call.params
    if bool(p.get("logGroupName")) == bool(p.get("logGroupIdentifier")):
        raise _invalid("You must include either logGroupIdentifier or logGroupName, but not both.")
    if call.action == "FilterLogEvents" and p.get("logStreamNames") and p.get("logStreamNamePrefix"):
        raise _invalid("logStreamNames and logStreamNamePrefix cannot both be specified.")

"""CloudWatch GetMetricData parameters AWS refuses and moto accepts."""

from __future__ import annotations

import re

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before

QUERIES = rule(
    "cloudwatch.metric-data-queries",
    "GetMetricData: each query Id starts with a lowercase letter, has only letters, digits and "
    "underscores, and is unique; at most 500 queries; StartTime before EndTime",
    "cloudwatch:GetMetricData",
    "The valid characters are letters, numbers, and underscore. The first character must be a "
    "lowercase letter. / This name must be unique within a single call to GetMetricData. / A "
    "single GetMetricData call can include as many as 500 MetricDataQuery structures.",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html",
    "test_cloudwatch_params.py::test_metric_data_query_ids",
)
_ID = re.compile(r"[a-z][A-Za-z0-9_]*")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


@before("cloudwatch", "GetMetricData")
def metric_data_queries(call: Call) -> None:
    if not QUERIES.enabled:
        return
    queries = call.params.get("MetricDataQueries") or []
    if len(queries) > 500:
        raise _invalid("The collection MetricDataQueries must not have a size greater than 500.")
    seen: set[str] = set()
    for index, query in enumerate(queries, start=1):
        ident = query.get("Id") or ""
        if not _ID.fullmatch(ident):
            raise _invalid(
                f"The value {ident} for parameter MetricDataQueries.member.{index}.Id is not valid."
            )
        if ident in seen:
            raise _invalid(
                f"The value {ident} for parameter MetricDataQueries.member.{index}.Id is not unique."
            )
        seen.add(ident)
    start, end = call.params.get("StartTime"), call.params.get("EndTime")
    if start is not None and end is not None and start >= end:
        raise _invalid("The parameter StartTime must be less than the parameter EndTime.")

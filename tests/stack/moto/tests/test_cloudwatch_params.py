"""GetMetricData parameters (rule cloudwatch.metric-data-queries).

Sent in the awsQuery protocol, as Berth's aws-sdk-cloudwatch 1.99 sends it (boto3 here would
speak RPCv2 CBOR, which the backend does not check)."""

import datetime
import re
import urllib.request

import botocore.session
from botocore.serialize import create_serializer

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _query_call(account, operation, params):
    """(HTTP status, error code or None) of a query-protocol CloudWatch call."""
    model = botocore.session.get_session().get_service_model("cloudwatch").operation_model(operation)
    request = create_serializer("query").serialize_to_request(params, model)
    body = (
        request["body"]
        if isinstance(request["body"], bytes)
        else urllib.parse.urlencode(request["body"]).encode()
    )
    key = account.keys["aws_access_key_id"]
    http = urllib.request.Request(f"{account.backend.url}/", data=body, method="POST")
    http.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    http.add_header(
        "Authorization",
        f"AWS4-HMAC-SHA256 Credential={key}/20200101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0",
    )
    http.add_header("X-Amz-Security-Token", account.keys["aws_session_token"])
    try:
        with NO_PROXY.open(http, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        found = re.search(r"<Code>([^<]+)</Code>", error.read().decode())
        return error.code, found.group(1) if found else None


def _query(ident):
    return {
        "Id": ident,
        "MetricStat": {
            "Metric": {
                "Namespace": "AWS/ECS",
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "ClusterName", "Value": "c"}],
            },
            "Period": 60,
            "Stat": "Average",
        },
    }


def test_metric_data_query_ids(account):
    end = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start = end - datetime.timedelta(hours=1)
    for queries in ([_query("CPU")], [_query("cpu-1")], [_query("cpu"), _query("cpu")]):
        assert _query_call(
            account, "GetMetricData", {"MetricDataQueries": queries, "StartTime": start, "EndTime": end}
        ) == (400, "InvalidParameterValue"), queries
    assert _query_call(
        account, "GetMetricData", {"MetricDataQueries": [_query("cpu")], "StartTime": end, "EndTime": start}
    ) == (400, "InvalidParameterValue")
    ok = {"MetricDataQueries": [_query("cpu"), _query("mem_1")], "StartTime": start, "EndTime": end}
    assert _query_call(account, "GetMetricData", ok) == (200, None)

"""AWS errors as each protocol writes them.

A rule raises ``AwsError``; the interceptor renders it in the protocol the client spoke: the JSON
protocols (ECS, ECR, CloudWatch Logs), the query protocol (IAM, STS, CloudWatch) or EC2's own XML.
``AwsError`` is deliberately not a moto ``ServiceException``: moto would catch that inside its own
dispatch and look the code up in botocore's error shapes, which lack several codes AWS sends.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape


class AwsError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, sender: bool = True):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender


def render(protocol: str, error: AwsError) -> tuple[int, dict[str, str], str]:
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if protocol == "json":
        headers["Content-Type"] = "application/x-amz-json-1.1"
        headers["x-amzn-ErrorType"] = error.code
        body = json.dumps({"__type": error.code, "message": error.message})
    elif protocol == "ec2":
        headers["Content-Type"] = "text/xml;charset=UTF-8"
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        )
    else:
        headers["Content-Type"] = "text/xml"
        kind = "Sender" if error.sender else "Receiver"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{kind}</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    return error.status, headers, body


# --- errors that mean "these credentials are not (yet) valid", per protocol.
# JSON services: UnrecognizedClientException, HTTP 400 (seen from Security Hub, Lambda, DynamoDB).
# Query services: InvalidClientTokenId, HTTP 403 (STS GetCallerIdentity in a disabled region).
# EC2: AuthFailure, HTTP 401 ("AWS was not able to validate the provided access credentials").
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."


def invalid_token(protocol: str) -> AwsError:
    if protocol == "json":
        return AwsError("UnrecognizedClientException", INVALID_TOKEN_MESSAGE, 400)
    if protocol == "ec2":
        return AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401)
    return AwsError("InvalidClientTokenId", INVALID_TOKEN_MESSAGE, 403)

"""Length, pattern, range, enum and required-member constraints of every operation's input.

The API reference lists them for each parameter ("Length Constraints: Minimum length of 1.
Maximum length of 64.", "Pattern: [\\w+=,.@-]+", "Valid Range", "Valid Values", "Required: Yes");
they come from the same service models botocore ships, so the checks read them from there.
moto checks almost none of them. AWS answers with its "N validation error(s) detected" message;
the error code differs per service (see ``_CODES``).
"""

from __future__ import annotations

import re
from typing import Any

import regex

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before

SHAPES = rule(
    "all.input-constraints",
    "Every parameter is checked against its documented length, pattern, range, valid values and "
    'required flag; violations answer AWS\'s "N validation error(s) detected" error',
    "iam:* sts:AssumeRole ecr:* ecs:* logs:* cloudwatch:GetMetricData ec2:Describe*",
    "Length Constraints: Minimum length of 1. Maximum length of 64. Pattern: [\\w+=,.@-]+ "
    "(IAM CreateRole, RoleName; every operation's Request Parameters list such constraints). "
    "Reported answer: \"ValidationError: 1 validation error detected: Value '…' at 'roleName' "
    'failed to satisfy constraint: Member must have length less than or equal to 64"',
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
    (
        "test_input_constraints.py::test_iam_role_name_longer_than_64",
        "test_input_constraints.py::test_logs_group_name_pattern",
        "test_input_constraints.py::test_ecr_repository_name_too_short",
        "test_input_constraints.py::test_ec2_max_results_below_5",
        "test_input_constraints.py::test_ecs_enum_value",
    ),
)

# Which error each service answers a constraint violation with (protocol decides the status).
_CODES = {
    "iam": "ValidationError",  # reported: roleName longer than 64
    "sts": "ValidationError",
    "cloudwatch": "ValidationError",
    "logs": "InvalidParameterException",  # reported: logGroupName pattern
    "ecr": "InvalidParameterException",  # reported: repositoryName pattern
    "ecs": "InvalidParameterException",
    "ec2": "InvalidParameterValue",
}

_compiled: dict[str, Any] = {}


def _pattern(text: str) -> Any:
    if text not in _compiled:
        # The models write astral code points as \u10000; Python wants \U00010000.
        fixed = re.sub(
            r"\\u([0-9A-Fa-f]{5,6})(?![0-9A-Fa-f])", lambda m: f"\\U{int(m.group(1), 16):08X}", text
        )
        try:
            _compiled[text] = regex.compile(fixed)
        except regex.error:
            _compiled[text] = None  # a pattern we cannot read is not checked
    return _compiled[text]


def _java(value: Any) -> str:
    """Values as AWS's messages print them (Java's toString)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_java(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java(v)}" for k, v in value.items()) + "}"
    return str(value)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def violations(shape: Any, value: Any, path: str, service: str) -> list[str]:
    found: list[str] = []
    meta = shape.metadata
    kind = shape.type_name

    def add(constraint: str) -> None:
        found.append(f"Value '{_java(value)}' at '{path}' failed to satisfy constraint: {constraint}")

    if kind == "string" and isinstance(value, str):
        if "min" in meta and meta["min"] > 0 and len(value) < meta["min"]:
            add(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            add(f"Member must have length less than or equal to {meta['max']}")
        if "pattern" in meta and value:
            compiled = _pattern(meta["pattern"])
            if compiled is not None and compiled.fullmatch(value) is None:
                add(f"Member must satisfy regular expression pattern: {meta['pattern']}")
        enum = getattr(shape, "enum", None)
        if enum and service != "ec2" and value not in enum:
            add(f"Member must satisfy enum value set: [{', '.join(enum)}]")
    elif kind in ("integer", "long") and isinstance(value, (int, float)) and not isinstance(value, bool):
        out_of_range = value < meta.get("min", value) or value > meta.get("max", value)
        if service == "ec2" and out_of_range:
            # EC2's own wording (e.g. DescribeVpcs MaxResults 1).
            found.append(
                f"Value ( {value} ) for parameter {_lower_first(path)} is invalid. "
                f"Parameter must be between {meta.get('min')} and {meta.get('max')}."
            )
            return found
        if "min" in meta and value < meta["min"]:
            add(f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            add(f"Member must have value less than or equal to {meta['max']}")
    elif kind == "list" and isinstance(value, list):
        if "min" in meta and meta["min"] > 0 and len(value) < meta["min"]:
            add(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            add(f"Member must have length less than or equal to {meta['max']}")
        for index, item in enumerate(value, start=1):
            found += violations(shape.member, item, f"{path}.{index}.member", service)
    elif kind == "map" and isinstance(value, dict):
        if "min" in meta and meta["min"] > 0 and len(value) < meta["min"]:
            add(f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            add(f"Member must have length less than or equal to {meta['max']}")
        for key, item in value.items():
            found += violations(shape.key, key, f"{path}.{key}", service)
            found += violations(shape.value, item, f"{path}.{key}", service)
    elif kind == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                member_path = f"{path}.{_lower_first(name)}" if path else _lower_first(name)
                if service == "ec2":
                    found.append(f"The request must contain the parameter {member_path}")
                else:
                    found.append(
                        f"Value null at '{member_path}' failed to satisfy constraint: Member must not be null"
                    )
        for name, member in shape.members.items():
            if value.get(name) is None:
                continue
            member_path = f"{path}.{_lower_first(name)}" if path else _lower_first(name)
            found += violations(member, value[name], member_path, service)
    return found


def _message(found: list[str]) -> str:
    noun = "error" if len(found) == 1 else "errors"
    return f"{len(found)} validation {noun} detected: " + "; ".join(found)


@before("iam sts ecr ecs logs cloudwatch ec2")
def check_input_constraints(call: Call) -> None:
    if not SHAPES.enabled:
        return
    try:
        shape = call.operation_model.input_shape
    except Exception:  # an operation botocore does not know: moto answers it as before
        return
    if shape is None:
        return
    found = violations(shape, call.params, "", call.service)
    if not found:
        return
    code = _CODES.get(call.service, "ValidationException")
    if call.service == "ecr" and len(found) == 1 and "'repositoryName'" in found[0]:
        # ECR words repository-name violations its own way (reported verbatim).
        constraint = found[0].split("failed to satisfy constraint: ", 1)[1]
        constraint = constraint.replace(
            "Member must satisfy regular expression pattern: ", "must satisfy regular expression "
        )
        constraint = constraint.replace("Member must", "must")
        if "regular expression" in constraint:
            pattern = constraint.split("regular expression ", 1)[1]
            constraint = f"must satisfy regular expression '{pattern}'"
        raise AwsError(
            code, f"Invalid parameter at 'repositoryName' failed to satisfy constraint: '{constraint}'"
        )
    if call.service == "ec2":
        missing = found[0].startswith("The request must contain")
        raise AwsError("MissingParameter" if missing else code, found[0])
    raise AwsError(code, _message(found))

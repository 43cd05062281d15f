"""Security groups that an ENI still uses cannot be deleted."""

from __future__ import annotations

import re
from typing import Any

from moto.ec2.models.security_groups import SecurityGroupBackend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import Call, before, patch

GROUP_IN_USE = rule(
    "ec2.security-group.in-use",
    "DeleteSecurityGroup of a group that a network interface (a task's ENI, also while it lingers "
    "after the task stopped) still uses answers DependencyViolation",
    "ec2:DeleteSecurityGroup",
    "If you attempt to delete a security group that is associated with an instance or network "
    "interface, is referenced by another security group in the same VPC, or has a VPC "
    "association, the operation fails with DependencyViolation.",
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html",
    (
        "test_network.py::test_delete_security_group_in_use",
        "test_network.py::test_eni_lingers_after_the_task_stops",
    ),
)


@patch(SecurityGroupBackend, "delete_security_group")
def delete_security_group(
    original: Any, self: Any, name: str | None = None, group_id: str | None = None
) -> Any:
    if GROUP_IN_USE.enabled:
        group = self.get_security_group_by_name_or_id(group_id or name) if (group_id or name) else None
        if group is not None:
            for eni in list(self.enis.values()):
                if any(getattr(g, "id", g) == group.id for g in eni.group_set):
                    raise AwsError("DependencyViolation", f"resource {group.id} has a dependent object")
    return original(self, name=name, group_id=group_id)


GROUP_NAMES = rule(
    "ec2.security-group.names",
    "CreateSecurityGroup refuses names starting with sg- and names or descriptions longer than "
    "255 or with other characters than a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*; the "
    "default group cannot be deleted",
    "ec2:CreateSecurityGroup ec2:DeleteSecurityGroup",
    "Constraints: Up to 255 characters in length. Can't start with sg-. Valid characters: a-z, "
    'A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$* / reported: "Value (…) for parameter '
    'GroupDescription is invalid. Character sets beyond ASCII are not supported." and '
    '"CannotDelete: the specified group: "sg-…" name: "default" cannot be deleted by a user"',
    "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
    "test_network.py::test_security_group_names",
)
TAG_KEYS = rule(
    "ec2.tags.aws-prefix",
    "CreateTags refuses keys starting with aws:",
    "ec2:CreateTags",
    "Don't use the aws: prefix in your tag names or values because it's reserved for AWS use.",
    "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html",
    "test_network.py::test_tags_with_aws_prefix",
)
_VALID = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}")


@before("ec2", "CreateSecurityGroup")
def security_group_names(call: Call) -> None:
    if not GROUP_NAMES.enabled:
        return
    for member, value in (
        ("GroupName", call.params.get("GroupName")),
        ("GroupDescription", call.params.get("Description")),
    ):
        if value is None:
            continue
        if member == "GroupName" and value.lower().startswith("sg-"):
            raise AwsError("InvalidParameterValue", "Group names may not be in the format sg-*.")
        if len(value) > 255:
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({value}) for parameter {member} is invalid. Length exceeds maximum of 255.",
            )
        if not value.isascii():  # reported wording
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({value}) for parameter {member} is invalid. Character sets beyond ASCII are not supported.",
            )
        if not _VALID.fullmatch(value):  # the documented set; this wording is the backend's
            raise AwsError(
                "InvalidParameterValue",
                f"Value ({value}) for parameter {member} is invalid. Valid characters are a-z, A-Z, "
                "0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
            )


@before("ec2", "DeleteSecurityGroup")
def default_group(call: Call) -> None:
    if not GROUP_NAMES.enabled:
        return
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[call.account][call.region]
    wanted = call.params.get("GroupId") or call.params.get("GroupName")
    group = ec2.get_security_group_by_name_or_id(wanted) if wanted else None
    if group is not None and group.name == "default":
        raise AwsError(
            "CannotDelete", f'the specified group: "{group.id}" name: "default" cannot be deleted by a user'
        )


@before("ec2", "CreateTags")
def tag_keys(call: Call) -> None:
    if not TAG_KEYS.enabled:
        return
    for tag in call.params.get("Tags") or []:
        key = tag.get("Key") or ""
        if key.lower().startswith("aws:"):
            raise AwsError(
                "InvalidParameterValue",
                f"Value ( {key} ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use",
            )

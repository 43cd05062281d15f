"""Security groups that an ENI still uses cannot be deleted."""

from __future__ import annotations

from typing import Any

from moto.ec2.models.security_groups import SecurityGroupBackend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import patch

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
def delete_security_group(original: Any, self: Any, name: str | None = None, group_id: str | None = None) -> Any:
    if GROUP_IN_USE.enabled:
        group = self.get_security_group_by_name_or_id(group_id or name) if (group_id or name) else None
        if group is not None:
            for eni in list(self.enis.values()):
                if any(getattr(g, "id", g) == group.id for g in eni.group_set):
                    raise AwsError("DependencyViolation", f"resource {group.id} has a dependent object")
    return original(self, name=name, group_id=group_id)

"""Deleting an IAM user (rule iam.delete-user.attachments): IAM refuses while the user still has
what must be removed first. moto checks attached and inline policies only."""

from __future__ import annotations

from typing import Any

from moto.iam.exceptions import DeleteConflictException
from moto.iam.models import IAMBackend

from ..catalog import rule
from ..interceptor import patch

DELETE_USER = rule(
    "iam.delete-user.attachments",
    "DeleteUser of a user that still has access keys, a password, SSH keys, signing certificates or "
    "MFA devices answers DeleteConflict (moto: only policies are checked)",
    "iam:DeleteUser",
    "Unlike the AWS Management Console, when you delete a user programmatically, you must delete the "
    "items attached to the user manually, or the deletion fails. … Before attempting to delete a "
    "user, remove the following items: Password (DeleteLoginProfile) Access keys (DeleteAccessKey) …",
    "https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html",
    "test_iam_delete.py::test_user_with_an_access_key_cannot_be_deleted",
)


@patch(IAMBackend, "delete_user")
def delete_user(original: Any, self: IAMBackend, user_name: str, *args: Any, **kwargs: Any) -> Any:
    user = self.users.get(user_name)
    if DELETE_USER.enabled and user is not None:
        for what, present in (
            ("access keys", user.access_keys),
            ("login profile", user.password),
            ("SSH public keys", user.ssh_public_keys),
            ("signing certificates", user.signing_certificates),
            ("MFA devices", user.mfa_devices),
        ):
            if present:
                raise DeleteConflictException(f"Cannot delete entity, must delete {what} first.")
    return original(self, user_name, *args, **kwargs)

"""A KMS-encrypted ECR repository (rule ecr.kms.key-and-grants): ECR looks the key up, makes two
grants on it as the caller, and retires them when the repository is deleted. moto stores any key
name and touches no key."""

from __future__ import annotations

from typing import Any

from moto.ecr.models import ECRBackend
from moto.kms.models import kms_backends

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import patch

KMS_GRANTS = rule(
    "ecr.kms.key-and-grants",
    "CreateRepository with encryptionType KMS and a kmsKey (id, ARN, alias or alias ARN) that is not "
    "an enabled key answers KmsException; otherwise ECR makes two grants on the key (grantee "
    "ecr.<region>.amazonaws.com), which DeleteRepository retires. Without kmsKey (the AWS managed "
    "aws/ecr key) nothing is checked",
    "ecr:CreateRepository, ecr:DeleteRepository",
    "When you create a repository, Amazon ECR sends a DescribeKey call to AWS KMS to validate and "
    "retrieve the Amazon Resource Name (ARN) of the KMS key specified in the encryption "
    "configuration. Amazon ECR sends two CreateGrant requests to AWS KMS to create grants on the KMS "
    "key to allow Amazon ECR to encrypt and decrypt data using the data key. … KmsException: The "
    "operation failed due to a KMS exception.",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
    ("test_ecr_kms.py::test_missing_kms_key_is_refused", "test_ecr_kms.py::test_grants_live_as_long_as_the_repository"),
)

# The grants ECR made for a repository: (account, region, key id, grant ids), by repository ARN.
# Kept out of moto's objects so the state file stays plain data.
GRANTS: dict[str, tuple[str, str, str, list[str]]] = {}


def _key_home(key: str, account: str, region: str) -> tuple[str, str]:
    """Where a key lives: an ARN names its account and region, other forms are the caller's."""
    if key.startswith("arn:"):
        parts = key.split(":")
        if len(parts) > 5:
            return parts[4], parts[3]
    return account, region


def _find_key(key: str, account: str, region: str) -> tuple[str, str, str] | None:
    home_account, home_region = _key_home(key, account, region)
    backend = kms_backends[home_account][home_region]
    try:
        key_id = backend.any_id_to_key_id(key)
        found = backend.keys.get(key_id)
    except Exception:  # noqa: BLE001 - moto raises several kinds for unknown aliases
        found = None
    if found is None or not found.enabled or found.key_state != "Enabled":
        return None
    return home_account, home_region, key_id


@patch(ECRBackend, "create_repository")
def create_repository(original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any) -> Any:
    config = kwargs.get("encryption_config") if "encryption_config" in kwargs else (args[1] if len(args) > 1 else None)
    key = (config or {}).get("kmsKey") if (config or {}).get("encryptionType", "").startswith("KMS") else None
    found = None
    if KMS_GRANTS.enabled and key and repository_name not in self.repositories:
        found = _find_key(key, self.account_id, self.region_name)
        if found is None:
            raise AwsError(
                "KmsException",
                f"The operation failed due to a KMS exception: key {key} does not exist or is not enabled "
                "(DescribeKey through ECR)",
            )
    repository = original(self, repository_name, *args, **kwargs)
    if found is not None:
        account, region, key_id = found
        backend = kms_backends[account][region]
        grants = [
            backend.create_grant(
                key_id,
                f"ecr.{self.region_name}.amazonaws.com",
                ["Encrypt", "Decrypt", "GenerateDataKey", "RetireGrant"] if n == 0 else ["Decrypt", "DescribeKey"],
                f"ecr-{repository_name}-{n}",
                {},
                f"ecr.{self.region_name}.amazonaws.com",
            )[0]
            for n in range(2)
        ]
        GRANTS[repository.arn] = (account, region, key_id, grants)
    return repository


@patch(ECRBackend, "delete_repository")
def delete_repository(original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any) -> Any:
    deleted = original(self, repository_name, *args, **kwargs)
    made = GRANTS.pop(getattr(deleted, "arn", ""), None)
    if made is not None:
        account, region, key_id, grants = made
        backend = kms_backends[account][region]
        for grant in grants:
            try:
                backend.retire_grant(key_id, grant, "")
            except Exception:  # noqa: BLE001 - a key deleted meanwhile has no grants to retire
                pass
    return deleted

"""Service quotas, set low in tests to show what Berth does when one is reached."""

from __future__ import annotations

from typing import Any

from moto.ecr.models import ECRBackend
from moto.logs.models import LogsBackend

from ..catalog import rule
from ..errors import AwsError
from ..interceptor import patch
from ..settings import SETTINGS

ECR_REPOSITORIES = rule(
    "ecr.quota.repositories-per-region",
    "CreateRepository beyond ecr_repositories_per_region (AWS: 100,000) answers LimitExceededException",
    "ecr:CreateRepository",
    "LimitExceededException: The operation did not succeed because it would have exceeded a "
    "service limit for your account. (quota: Registered repositories per Region)",
    "https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html",
    "test_quotas.py::test_ecr_repositories_per_region",
)
LOG_GROUPS = rule(
    "logs.quota.log-groups-per-region",
    "CreateLogGroup beyond log_groups_per_region (AWS: 1,000,000) answers LimitExceededException",
    "logs:CreateLogGroup",
    "LimitExceededException: You have reached the maximum number of resources that can be created.",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html",
    "test_quotas.py::test_log_groups_per_region",
)


@patch(ECRBackend, "create_repository")
def create_repository(
    original: Any, self: ECRBackend, repository_name: str, *args: Any, **kwargs: Any
) -> Any:
    if ECR_REPOSITORIES.enabled and len(self.repositories) >= SETTINGS.ecr_repositories_per_region:
        raise AwsError(
            "LimitExceededException",
            "The operation did not succeed because it would have exceeded a service limit for "
            "your account. (Registered repositories per Region: "
            f"{SETTINGS.ecr_repositories_per_region})",
        )
    return original(self, repository_name, *args, **kwargs)


@patch(LogsBackend, "create_log_group")
def create_log_group(original: Any, self: LogsBackend, log_group_name: str, *args: Any, **kwargs: Any) -> Any:
    if (
        LOG_GROUPS.enabled
        and log_group_name not in self.groups
        and len(self.groups) >= SETTINGS.log_groups_per_region
    ):
        raise AwsError("LimitExceededException", "Resource limit exceeded.")
    return original(self, log_group_name, *args, **kwargs)

"""Request checks and backend patches, one module per area. Importing registers them, in the
order AWS checks: credentials and region first, then parameters, then the account's state."""

from importlib import import_module

ORDER = (
    "regions",  # a disabled region refuses everything
    "iam_consistency",  # then credentials that are not (yet, or any more) valid
    "shapes",
    "ecs_params",
    "ecs_revisions",
    "cloudwatch_params",
    "logs_params",
    "service_linked_role",
    "quotas",
    "ecr_kms",
    "iam_delete",
    "ec2_network",
    "autoscaling",
    "ecs_secrets",
)
for _module in ORDER:
    import_module(f"{__name__}.{_module}")

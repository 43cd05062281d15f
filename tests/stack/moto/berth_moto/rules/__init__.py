"""Request checks and backend patches, one module per area. Importing registers them; the order
is the order AWS checks in: credentials and region, then parameters, then the account's state."""

from . import (
    ec2_network,  # noqa: F401
    ecs_params,  # noqa: F401
    iam_consistency,  # noqa: F401
    logs_params,  # noqa: F401
    quotas,  # noqa: F401
    regions,  # noqa: F401  (first: a disabled region refuses everything)
    service_linked_role,  # noqa: F401
    shapes,  # noqa: F401
)

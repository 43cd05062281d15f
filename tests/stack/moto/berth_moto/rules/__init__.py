"""Request checks and backend patches, one module per area. Importing registers them; the order
is the order AWS checks in: credentials and region, then parameters, then the account's state."""

from . import regions  # noqa: F401  (first: a disabled region refuses everything)
from . import iam_consistency  # noqa: F401
from . import shapes  # noqa: F401
from . import ecs_params  # noqa: F401
from . import service_linked_role  # noqa: F401
from . import logs_params  # noqa: F401
from . import quotas  # noqa: F401
from . import ec2_network  # noqa: F401

"""The launcher's settings: timings, quotas, regions, the registry that stands in for ECR, Docker.

Every setting has an environment variable (``BERTH_MOTO_<NAME>``, upper case) and can be changed
while the backend runs with ``POST /berth-api/settings``. Defaults are the fast ones the tests
use; ``docs/aws-emulator.md`` lists what AWS takes instead.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any

# Regions launched after 20 March 2019 are disabled until the account owner enables them
# (AWS Account Management reference, "Enable or disable AWS Regions in your account").
OPT_IN_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
)


@dataclass
class Settings:
    # --- timings, in seconds (AWS: tens of seconds to minutes; see docs/aws-emulator.md)
    task_provision_s: float = 0.5  # PROVISIONING -> PENDING (ENI attach)
    task_pending_min_s: float = 0.5  # shortest PENDING, on top of the real image pull
    task_stop_step_s: float = 0.3  # each of DEACTIVATING, STOPPING, DEPROVISIONING
    container_stop_timeout_s: float = 2.0  # SIGTERM -> SIGKILL (ECS default stopTimeout: 30)
    steady_state_s: float = 1.0  # all tasks RUNNING this long -> deployment COMPLETED
    service_drain_s: float = 2.0  # shortest DRAINING before INACTIVE
    service_retry_s: float = 2.0  # a service that could not launch a task tries again
    iam_propagation_s: float = 2.0  # new role / user / access key not yet usable
    slr_propagation_s: float = 2.0  # new ECS service-linked role not yet usable
    eni_linger_s: float = 3.0  # a stopped task's ENI stays (and holds its groups)
    scheduler_tick_s: float = 0.1

    # --- quotas (AWS defaults in the comments)
    ecr_repositories_per_region: int = 100_000  # "Registered repositories per Region"
    log_groups_per_region: int = 1_000_000  # "Log groups per account per Region"
    access_keys_per_user: int = 2  # "Access keys assigned to an IAM user"

    # --- accounts
    # Accounts whose ECS service-linked role already exists ("*" for all). A new account has none.
    slr_accounts: list[str] = field(default_factory=list)
    # Opt-in regions every account has enabled ("*" for all); per account: /berth-api/accounts.
    enabled_opt_in_regions: list[str] = field(default_factory=list)

    # --- the registry that stands in for ECR (empty: ECR images stay moto's own records)
    registry: str = ""  # host:port
    registry_user: str = ""
    registry_password: str = ""
    # Where <account>.dkr.ecr.<region>.amazonaws.com/<repository> lives in that registry.
    registry_path: str = "{repository}"

    # --- Docker
    containers: bool = True  # False: tasks reach RUNNING without a container (lenient)
    docker_host: str = ""  # default: DOCKER_HOST, else the local socket
    address_pool: str = "127.0.0.10-127.0.0.250"  # each task's "public IP"
    instance: str = ""  # label value that marks this launcher's containers

    # --- practice mode: where the accounts are kept between runs (empty: in memory only)
    state_file: str = ""

    # --- rules switched off by id (to show that a test fails without its rule)
    disabled_rules: list[str] = field(default_factory=list)

    def update(self, values: dict[str, Any]) -> None:
        names = {f.name: f for f in dataclasses.fields(self)}
        for key, value in values.items():
            if key not in names:
                raise KeyError(f"unknown setting {key!r}")
            setattr(self, key, _coerce(names[key], value))

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["registry_password"] = "***" if self.registry_password else ""
        return data

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        settings = cls()
        for f in dataclasses.fields(settings):
            raw = environ.get(f"BERTH_MOTO_{f.name.upper()}")
            if raw is not None:
                setattr(settings, f.name, _coerce(f, raw))
        return settings


def _coerce(f: dataclasses.Field, value: Any) -> Any:
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
    if kind.startswith("list"):
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value]
    if kind == "bool":
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    return str(value)


# The one instance the whole launcher reads.
SETTINGS = Settings()


def rule_enabled(rule_id: str) -> bool:
    return rule_id not in SETTINGS.disabled_rules

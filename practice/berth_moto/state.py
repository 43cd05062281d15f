"""State shared by the request path and the scheduler: one lock, per-account settings.

moto's backends are plain Python objects that are not safe to change from two threads at once.
Every AWS call the interceptor lets through, and every scheduler tick, holds ``LOCK``; slow work
(pulling an image, stopping a container) runs outside it and comes back under it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .settings import SETTINGS

LOCK = threading.RLock()


@dataclass
class Account:
    # None: follow the launcher-wide settings (slr_accounts, enabled_opt_in_regions).
    ecs_service_linked_role: bool | None = None
    enabled_regions: list[str] = field(default_factory=list)


ACCOUNTS: dict[str, Account] = {}


def account(account_id: str) -> Account:
    return ACCOUNTS.setdefault(account_id, Account())


def has_preexisting_slr(account_id: str) -> bool:
    """Whether the account is set up as one that already had the ECS service-linked role."""
    setting = account(account_id).ecs_service_linked_role
    if setting is not None:
        return setting
    return "*" in SETTINGS.slr_accounts or account_id in SETTINGS.slr_accounts


def region_enabled(account_id: str, region: str) -> bool:
    return (
        "*" in SETTINGS.enabled_opt_in_regions
        or region in SETTINGS.enabled_opt_in_regions
        or region in account(account_id).enabled_regions
    )

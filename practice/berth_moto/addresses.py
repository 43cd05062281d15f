"""Loopback addresses that stand in for tasks' public IPs.

Each task with a public IP gets its own 127.x.y.z and its container ports are published there
with the same numbers, so ``http://<publicIp>:<port>`` opens the app as it would on Fargate.
Several launchers may share the machine: an address whose ports cannot be bound is skipped, and
the pool is walked from a random start.
"""

from __future__ import annotations

import ipaddress
import random
import socket

from .settings import SETTINGS

_taken: set[str] = set()


def _pool() -> list[str]:
    first, _, last = SETTINGS.address_pool.partition("-")
    start, end = (
        int(ipaddress.IPv4Address(first.strip())),
        int(ipaddress.IPv4Address(last.strip() or first.strip())),
    )
    return [str(ipaddress.IPv4Address(n)) for n in range(start, end + 1)]


def _free(address: str, ports: list[tuple[int, str]]) -> bool:
    for port, protocol in ports:
        kind = socket.SOCK_DGRAM if protocol == "udp" else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind((address, port))
            except OSError:
                return False
    return True


def allocate(ports: list[tuple[int, str]], avoid: set[str] | None = None) -> str | None:
    """An address of the pool on which every (port, protocol) can be bound, or None."""
    pool = _pool()
    offset = random.randrange(len(pool))
    for address in pool[offset:] + pool[:offset]:
        if address in _taken or (avoid and address in avoid):
            continue
        if _free(address, ports):
            _taken.add(address)
            return address
    return None


def release(address: str | None) -> None:
    if address:
        _taken.discard(address)


def reset() -> None:
    _taken.clear()

"""``python -m berth_moto --check``: does this Python have what ``requirements.txt`` pins?

Berth runs it before starting practice mode, so a missing or outdated environment is reported
with the command that installs it instead of a traceback. Reads versions only (no import of moto,
which takes a second). Prints one line per problem; exit status 0 when none, 3 otherwise.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def pinned() -> list[tuple[str, str]]:
    found = []
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def problems() -> list[str]:
    found = []
    for name, version in pinned():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name}=={version}: not installed")
            continue
        if have != version:
            found.append(f"{name}=={version}: {have} installed")
    # moto[server]'s extras: the HTTP server the backend serves with.
    for name in ("flask", "flask-cors", "werkzeug"):
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name}: not installed (moto[server])")
    return found


def check() -> int:
    found = problems()
    for line in found:
        print(line)
    if not found:
        print("ok")
    return 3 if found else 0

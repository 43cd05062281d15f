"""Show that every rule's tests fail without the rule: for each rule of the catalogue, run its
tests with that rule switched off (BERTH_MOTO_DISABLED_RULES) and expect each listed test to fail
at least once (a parametrized test may include positive cases that pass either way).

    python tests/without_each_rule.py [rule-id ...]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[3] / "practice"))

from berth_moto.catalog import load  # noqa: E402

RULES = load()


def outcomes(junit: Path) -> dict[str, list[bool]]:
    """test function node id -> [passed?] for each of its cases."""
    found: dict[str, list[bool]] = {}
    for case in ET.parse(junit).iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)[-1]
        function = case.get("name", "").split("[", 1)[0]
        failed = any(child.tag in ("failure", "error") for child in case)
        skipped = any(child.tag == "skipped" for child in case)
        if not skipped:
            found.setdefault(f"{module}.py::{function}", []).append(not failed)
    return found


def main(selected: list[str]) -> int:
    bad = 0
    for rule in RULES.values():
        if selected and rule.id not in selected:
            continue
        started = time.monotonic()
        with tempfile.TemporaryDirectory() as work:
            junit = Path(work) / "junit.xml"
            env = dict(os.environ, BERTH_MOTO_DISABLED_RULES=rule.id)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    f"--junitxml={junit}",
                    *[f"tests/{t}" for t in rule.tests],
                ],
                cwd=HERE.parent,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            results = outcomes(junit) if junit.exists() else {}
        passing = [t for t in rule.tests if t not in results or all(results[t])]
        took = time.monotonic() - started
        if passing:
            bad += 1
            print(
                f"NOT OK  {rule.id}: passes without the rule: {', '.join(passing)} ({took:.0f}s)", flush=True
            )
        else:
            print(f"ok      {rule.id}: {len(rule.tests)} test(s) fail without it ({took:.0f}s)", flush=True)
    print(f"{len(RULES) - bad if not selected else len(selected) - bad} rules ok, {bad} not ok")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The catalogue of rules: each AWS behaviour the backend enforces, declared once.

The table in docs/aws-emulator.md is generated from it (``python -m berth_moto.catalog``), the
launcher can switch a rule off by its id (setting ``disabled_rules``), and
``run-tests.sh --without-each-rule`` runs every rule's tests with that rule off and expects them
to fail.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .settings import rule_enabled


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str  # what the backend does, in one sentence
    operations: tuple[str, ...]
    quote: str  # the sentence of the AWS documentation or public report it comes from
    source: str  # its URL
    tests: tuple[str, ...]  # pytest node ids, relative to tests/stack/moto/tests

    @property
    def enabled(self) -> bool:
        return rule_enabled(self.id)


RULES: dict[str, Rule] = {}


def rule(id: str, rule: str, operations: str, quote: str, source: str, tests: str | tuple[str, ...]) -> Rule:
    if id in RULES:
        raise ValueError(f"rule {id} declared twice")
    if isinstance(tests, str):
        tests = (tests,)
    # Operations are separated by spaces or commas ("ecr:CreateRepository, ecr:DeleteRepository").
    made = Rule(id, rule, tuple(o for o in re.split(r"[\s,]+", operations) if o), quote, source, tests)
    RULES[id] = made
    return made


def markdown_table() -> str:
    lines = [
        "| id | rule | operations | AWS says (source) | test |",
        "|---|---|---|---|---|",
    ]
    for r in sorted(RULES.values(), key=lambda r: r.id):  # grouped by service
        quote = r.quote.replace("|", "\\|")
        tests = "<br>".join(f"`{t}`" for t in r.tests)
        ops = ", ".join(r.operations)
        lines.append(f'| `{r.id}` | {r.rule} | {ops} | "{quote}" ([source]({r.source})) | {tests} |')
    return "\n".join(lines) + "\n"


# The AWS operations Berth sends, by service, written from its action catalogue
# (src-tauri/core/src/aws/catalogue.rs) by a Rust test, so this list is declared once.
BERTH_OPERATIONS: dict[str, list[str]] = json.loads(
    (Path(__file__).with_name("berth_operations.json")).read_text(encoding="utf-8")
)


def _covers(pattern: str, operation: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return operation.startswith(pattern[:-1])
    return pattern == operation


def operations_table() -> str:
    lines = ["| operation | rules that check it (besides the generic ones) |", "|---|---|"]
    generic = {r.id for r in RULES.values() if any(p == "*" or p.endswith(":*") for p in r.operations)}
    for service, names in BERTH_OPERATIONS.items():
        for name in names:
            operation = f"{service}:{name}"
            ids = [
                f"`{r.id}`"
                for r in RULES.values()
                if r.id not in generic and any(_covers(p, operation) for p in r.operations)
            ]
            lines.append(f"| {operation} | {', '.join(ids) or 'input constraints only'} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- rules:start -->", "<!-- rules:end -->"
OPS_START, OPS_END = "<!-- operations:start -->", "<!-- operations:end -->"


def load() -> dict[str, Rule]:
    """Import every module that declares rules."""
    from . import ecr_images, rules  # noqa: F401
    from .ecs import patches, services, tasks  # noqa: F401

    return RULES


def _between(text: str, start: str, end: str, table: str) -> str:
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{table}{end}{tail}"


def document(text: str) -> str:
    """``text`` with the tables between the markers replaced by the current catalogue."""
    return _between(_between(text, START, END, markdown_table()), OPS_START, OPS_END, operations_table())


def main() -> None:
    import sys

    # Run as __main__, this file is a second copy of the module: use the one the rules fill.
    from berth_moto import catalog

    catalog.load()
    if len(sys.argv) == 3 and sys.argv[1] == "--write":
        with open(sys.argv[2], encoding="utf-8") as f:
            text = f.read()
        with open(sys.argv[2], "w", encoding="utf-8") as f:
            f.write(catalog.document(text))
    else:
        print(catalog.markdown_table(), end="")


if __name__ == "__main__":
    main()

"""The catalogue of rules: each AWS behaviour the backend enforces, declared once.

The table in docs/aws-emulator.md is generated from it (``python -m berth_moto.catalog``), the
launcher can switch a rule off by its id (setting ``disabled_rules``), and
``run-tests.sh --without-each-rule`` runs every rule's tests with that rule off and expects them
to fail.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def rule(
    id: str, rule: str, operations: str, quote: str, source: str, tests: str | tuple[str, ...]
) -> Rule:
    if id in RULES:
        raise ValueError(f"rule {id} declared twice")
    if isinstance(tests, str):
        tests = (tests,)
    made = Rule(id, rule, tuple(operations.split()), quote, source, tests)
    RULES[id] = made
    return made


def markdown_table() -> str:
    lines = [
        "| id | rule | operations | AWS says (source) | test |",
        "|---|---|---|---|---|",
    ]
    for r in RULES.values():
        quote = r.quote.replace("|", "\\|")
        tests = "<br>".join(f"`{t}`" for t in r.tests)
        ops = ", ".join(r.operations)
        lines.append(f"| `{r.id}` | {r.rule} | {ops} | \"{quote}\" ([source]({r.source})) | {tests} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    from . import rules  # noqa: F401  (registers every rule)

    print(markdown_table(), end="")


if __name__ == "__main__":
    main()

"""The rule catalogue is consistent: every rule names tests that exist, and the table in
docs/aws-emulator.md is the catalogue's."""

import ast
from pathlib import Path

from berth_moto.catalog import END, START, document, load

TESTS = Path(__file__).resolve().parent
DOC = TESTS.parents[3] / "docs" / "aws-emulator.md"


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_rule_names_existing_tests():
    rules = load()
    assert len(rules) >= 25
    for rule in rules.values():
        assert rule.tests, rule.id
        for test in rule.tests:
            module, function = test.split("::")
            assert function in _functions(TESTS / module), f"{rule.id}: no test {test}"
        assert rule.source.startswith("https://"), rule.id
        assert rule.quote and rule.rule, rule.id


def test_docs_table_is_current():
    load()
    text = DOC.read_text()
    assert START in text and END in text
    assert document(text) == text, "run: python -m berth_moto.catalog --write docs/aws-emulator.md"

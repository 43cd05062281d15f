"""Whether an identity's IAM policies allow an action, for the few rules whose AWS behaviour
depends on the caller's permissions (moto evaluates none unless its whole access control is on).

Identity policies only: Allow and Deny statements, Action (with ``*``), Resource (with ``*``), and
the condition operators Berth's policies use (StringEquals, StringLike). An explicit Deny wins.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from . import iam_state


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    statements = (document or {}).get("Statement") or []
    return statements if isinstance(statements, list) else [statements]


def _listed(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value] if value else []


def _default_version(policy: Any) -> Any | None:
    version = next((v for v in policy.versions if v.is_default), None)
    return None if version is None else version.document


def role_documents(account: str, role_arn: str) -> list[Any]:
    """The inline and attached policies of the role named by ``role_arn``."""
    role = iam_state.role_named(account, role_arn.rsplit("/", 1)[-1])
    if role is None:
        return []
    documents: list[Any] = list(role.policies.values())
    documents += [d for d in map(_default_version, role.managed_policies.values()) if d is not None]
    return documents


def user_of_key(account: str, access_key: str) -> Any | None:
    """The IAM user an access key belongs to; None for other credentials (an assumed role, or the
    practice account's own keys, which stand for an administrator)."""
    return iam_state.backend(account).get_user_from_access_key_id(access_key)


def user_documents(account: str, user: Any) -> list[Any]:
    """The user's inline and attached policies, and those of its groups."""
    backend = iam_state.backend(account)
    documents: list[Any] = list(user.policies.values())
    documents += [d for d in map(_default_version, user.managed_policies.values()) if d is not None]
    for group in backend.get_groups_for_user(user.name):
        documents += list(group.policies.values())
        documents += [d for d in map(_default_version, group.managed_policies.values()) if d is not None]
    return documents


def _conditions_hold(statement: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in (statement.get("Condition") or {}).items():
        for key, wanted in tests.items():
            value = context.get(key)
            if value is None:
                return False
            if operator == "StringEquals":
                if value not in _listed(wanted):
                    return False
            elif operator == "StringLike":
                if not any(fnmatch.fnmatchcase(value, w) for w in _listed(wanted)):
                    return False
            else:
                return False  # an operator this evaluator does not know never grants
    return True


def allows(documents: list[Any], action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    """Whether the policy documents allow ``action`` on ``resource`` with the request's condition
    keys (``context``), and deny nothing of it."""
    action = action.lower()
    allowed = False
    for document in documents:
        for statement in _statements(document):
            if not any(fnmatch.fnmatchcase(action, a.lower()) for a in _listed(statement.get("Action"))):
                continue
            if not any(fnmatch.fnmatchcase(resource, r) for r in _listed(statement.get("Resource"))):
                continue
            if not _conditions_hold(statement, context or {}):
                continue
            if statement.get("Effect") == "Deny":
                return False
            allowed = allowed or statement.get("Effect") == "Allow"
    return allowed

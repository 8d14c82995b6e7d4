"""Every URL pattern × every persona. A new URL without a row fails this test."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import LOGIN, OK, Row
from tests.conftest import PERSONAS

# Django's own admin site has its own login and staff check; it is tested separately.
EXCLUDED_NAMESPACES = ("admin",)


def _all_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            rows_module = importlib.import_module(f"tests.{module.name}.access_rows")
        except ModuleNotFoundError:
            continue
        for attr in dir(rows_module):
            if attr.endswith("ROWS"):
                rows.extend(getattr(rows_module, attr))
    return rows


ROWS = _all_rows()


def _url_names(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from _url_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name}" if namespace else p.name


def test_every_url_pattern_has_a_row():
    names = set(_url_names(get_resolver().url_patterns))
    assert None not in names, "every URL pattern needs a name"
    covered = {row.name for row in ROWS}
    missing = sorted(names - covered)
    assert not missing, f"URL patterns without an access-matrix row: {missing}"
    stale = sorted(covered - names)
    assert not stale, f"access-matrix rows for URLs that no longer exist: {stale}"


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def _check(row: Row, persona: str, world) -> str | None:
    """One persona on one URL; returns a description of what went wrong, or None."""
    expected = row.outcome(persona)
    client = Client()
    if persona != "anonymous":
        client.force_login(world.people[persona])
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world) if row.data else {}
    response = getattr(client, row.method)(url, data)
    got = response.status_code
    if expected == OK:
        if got in (200, 302) and not _is_login_redirect(response):
            return None
        return f"{persona} should reach it, got {got} {response.get('Location', '')}"
    if expected == LOGIN:
        return None if _is_login_redirect(response) else f"{persona} should be sent to sign in, got {got}"
    return None if got == expected else f"{persona}: expected {expected}, got {got}"


@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_access(row: Row, world):
    """Every persona against one URL. The world is built once per row; each persona's
    request runs inside a savepoint that is rolled back, so a POST by one persona (or
    objects the row's kwargs create) cannot change what the next persona sees."""
    problems = []
    for persona in PERSONAS:
        savepoint = transaction.savepoint()
        try:
            problem = _check(row, persona, world)
        finally:
            transaction.savepoint_rollback(savepoint)
        if problem:
            problems.append(problem)
    assert not problems, f"{row.name} ({row.method.upper()}):\n" + "\n".join(problems)

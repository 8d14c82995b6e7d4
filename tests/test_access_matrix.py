"""Every URL pattern × every persona. A new URL without a row fails this test."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=[r.name for r in ROWS])
def test_access(row: Row, persona: str, world, client):
    expected = row.outcome(persona)
    if persona != "anonymous":
        client.force_login(world.people[persona])
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world) if row.data else {}
    response = getattr(client, row.method)(url, data)
    got = response.status_code
    if expected == OK:
        assert got in (200, 302) and not _is_login_redirect(response), (
            f"{persona} should reach {row.name}, got {got} {response.get('Location', '')}"
        )
    elif expected == LOGIN:
        assert _is_login_redirect(response), f"{persona} should be sent to sign in, got {got}"
    else:
        assert got == expected, f"{persona} on {row.name}: expected {expected}, got {got}"

"""The one registry through which a lower app lets higher apps take part, after wagtail/hooks.py.

An app that offers an extension point names it with a module-level constant in its own
`hooks.py` and documents the signature there (`peps.hooks.BEFORE_SUBMIT`). A higher app
registers a function for it in its `AppConfig.ready()`:

    hooks.register(peps_hooks.BEFORE_SUBMIT, problems_before_submit)

and the lower app calls what is registered, in `order` (lowest first, then in the order
of registration):

    for check in hooks.get_hooks(BEFORE_SUBMIT): ...

Tests register a fake for one test with `register_temporarily`, and run a lower app
without the higher apps' functions with `isolated`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, overload

Hook = Callable[..., Any]

# hook name -> [(function, order)], in the order they were registered.
_hooks: dict[str, list[tuple[Hook, int]]] = {}


@overload
def register(hook_name: str, fn: None = None, *, order: int = 0) -> Callable[[Hook], Hook]: ...
@overload
def register(hook_name: str, fn: Hook, *, order: int = 0) -> Hook: ...


def register(hook_name: str, fn: Hook | None = None, *, order: int = 0):
    """Register `fn` for `hook_name`; as a decorator when `fn` is left out.

    Registering the same function twice for the same hook keeps the first registration,
    so a `ready()` that runs again does not make a hook run twice.
    """
    if fn is None:
        def decorator(fn: Hook) -> Hook:
            register(hook_name, fn, order=order)
            return fn
        return decorator
    registered = _hooks.setdefault(hook_name, [])
    if all(existing is not fn for existing, _order in registered):
        registered.append((fn, order))
    return fn


def get_hooks(hook_name: str) -> list[Hook]:
    """The functions registered for `hook_name`, lowest `order` first (a stable sort, so
    equal orders keep the order of registration)."""
    return [fn for fn, _order in sorted(_hooks.get(hook_name, []), key=lambda entry: entry[1])]


@contextmanager
def register_temporarily(hook_name: str, fn: Hook, *, order: int = 0) -> Iterator[Hook]:
    """Register `fn` for the duration of the `with` block (for tests)."""
    registered = _hooks.setdefault(hook_name, [])
    entry = (fn, order)
    registered.append(entry)
    try:
        yield fn
    finally:
        registered.remove(entry)


@contextmanager
def isolated(*hook_names: str) -> Iterator[None]:
    """Empty the named hooks for the duration of the `with` block, then put back what was
    registered (for tests of a lower app without the higher apps' functions). Functions
    registered inside the block (`register_temporarily`) are gone afterwards too."""
    saved = {name: _hooks.pop(name, None) for name in hook_names}
    try:
        yield
    finally:
        for name, entries in saved.items():
            if entries is None:
                _hooks.pop(name, None)
            else:
                _hooks[name] = entries

"""The one check that typed text fits its column, for services.

A model TextField's max_length is kept by forms only (the database does not check it), so
every service that stores free text calls `require_text_limits` before it writes: a service
called from anywhere else (an import, a shell, a future API) refuses too long a text the same
way a form does.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def text_limit_errors(model: type[models.Model] | models.Model, values: dict[str, Any] | None = None,
                      *, field_names: dict[str, str] | None = None) -> dict[str, str]:
    """{form field: message} for each value longer than its column allows.

    With an instance and no values, every text field of the instance is checked."""
    cls = model if isinstance(model, type) else type(model)
    if values is None:
        values = {f.name: getattr(model, f.name) for f in cls._meta.concrete_fields
                  if isinstance(f, (models.CharField, models.TextField))}
    errors = {}
    for name, value in values.items():
        try:
            field = cls._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a column of this model
            continue
        limit = getattr(field, "max_length", None)
        if limit and isinstance(field, models.Field) and isinstance(value, str) and len(value) > limit:
            what = str(field.verbose_name)
            errors[(field_names or {}).get(name, name)] = (f"{what[:1].upper()}{what[1:]} must be {limit:,} "
                                                           "characters or fewer")
    return errors


def require_text_limits(model: type[models.Model] | models.Model, values: dict[str, Any] | None = None, *,
                        field_names: dict[str, str] | None = None, **kwargs: Any) -> None:
    """Refuse (ValidationError on the form's fields) a text longer than its column allows.

    `field_names` maps a column to the form field that carries it, when they differ."""
    errors = text_limit_errors(model, values if values is not None else (kwargs or None), field_names=field_names)
    if errors:
        raise ValidationError(errors)

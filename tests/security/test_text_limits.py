"""Every free-text field has a maximum length, in its form and in its model.

A 5 MB `safeguarding_notes` and a 21,000-character QA comment were accepted: this walks
every form class of the portal (and the PEP section forms, whose answers are kept as
JSON) and every model, and fails on a text field without a limit.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models

ROOT = Path(settings.BASE_DIR)
# The portal's own packages (third-party apps are not ours to change).
# The virtual environment may live inside the checkout (.venv), so installed packages are
# told apart by site-packages, not only by where they are.
OWN_APPS = [app for app in apps.get_app_configs()
            if Path(app.path).resolve().is_relative_to(ROOT.resolve()) and "site-packages" not in Path(app.path).parts]


def _form_modules():
    for app in OWN_APPS:
        for info in pkgutil.walk_packages([app.path], prefix=f"{app.name}."):
            leaf = info.name.rsplit(".", 1)[-1]
            if "forms" in leaf or leaf == "sections":
                yield importlib.import_module(info.name)


def _form_classes() -> list[type[forms.BaseForm]]:
    found = {}
    for module in _form_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[k] for k in sorted(found)]


def _instance_fields(cls) -> dict[str, forms.Field]:
    """The fields of a form as built (some are added in __init__), or its declared fields
    when it needs arguments the walk cannot give it."""
    fields = dict(cls.base_fields)
    try:
        fields.update(cls().fields)
    except Exception:  # noqa: BLE001 - a form that needs arguments: its declared fields
        pass
    return fields


def _unbounded(field: forms.Field) -> bool:
    if not isinstance(field, forms.CharField) or isinstance(field, forms.ChoiceField):
        return False
    return field.max_length is None


FORM_CLASSES = _form_classes()


def test_the_walk_finds_the_forms():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"RecordForm", "QaReviewForm", "ChildForm"} <= names, names
    assert any(issubclass(cls, __import__("peps.sections", fromlist=["SectionForm"]).SectionForm)
               for cls in FORM_CLASSES)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=[f"{c.__module__}.{c.__name__}" for c in FORM_CLASSES])
def test_every_text_field_of_every_form_has_a_maximum_length(cls):
    unbounded = sorted(name for name, field in _instance_fields(cls).items() if _unbounded(field))
    assert not unbounded, f"{cls.__name__}: text fields without max_length: {unbounded}"


def test_forms_built_from_data_bound_their_text_too(world):
    """The QA review form adds a comment per criterion in __init__."""
    from quality.forms import QaReviewForm
    from quality.services import active_criteria

    form = QaReviewForm(criteria=list(active_criteria(world.la)))
    unbounded = sorted(name for name, field in form.fields.items() if _unbounded(field))
    assert not unbounded, unbounded


def test_every_text_column_of_every_model_has_a_maximum_length():
    unbounded = sorted(
        f"{model._meta.label}.{field.name}"
        for app in OWN_APPS for model in app.get_models() for field in model._meta.get_fields()
        if isinstance(field, (models.TextField, models.CharField)) and field.max_length is None
    )
    assert not unbounded, f"text columns without max_length: {unbounded}"


# --------------------------------------------------------------------------------------
# The services refuse too long a text too (a model TextField's max_length binds only forms)
# --------------------------------------------------------------------------------------


def test_five_megabytes_of_safeguarding_notes_are_refused_by_form_and_service(world, social_worker):
    from django.core.exceptions import ValidationError

    from children import services as child_services
    from children.forms import ChildForm
    from children.models import Child

    huge = "x" * (5 * 1024 * 1024)
    form = ChildForm(data={"la_reference": "R1", "first_name": "A", "last_name": "B",
                           "date_of_birth": "14/3/2012", "gender": "female", "safeguarding_notes": huge},
                     professional=True)
    assert not form.is_valid()
    assert form.errors["safeguarding_notes"] == ["Safeguarding notes (professionals only) must be 10,000 "
                                                 "characters or fewer"]
    with pytest.raises(ValidationError) as exc:
        child_services.child_update(actor=social_worker, child=world.child, safeguarding_notes=huge)
    assert "safeguarding_notes" in exc.value.message_dict
    assert Child.objects.get(pk=world.child.pk).safeguarding_notes == ""


def test_a_21000_character_qa_comment_is_refused_by_form_and_service(world, vs_officer):
    from django.core.exceptions import ValidationError

    from peps.models import Pep
    from quality import services
    from quality.forms import QaReviewForm
    from quality.models import QaReview, Rag
    from quality.services import RatingInput
    from tests.quality.factories import submitted_pep

    pep = submitted_pep(world.child)
    criteria = list(services.active_criteria(world.la))
    long_comment = "y" * 21_000
    data = {f"rating_{c.pk}": Rag.GREEN for c in criteria} | {"comment": long_comment, "decision": "approved"}
    form = QaReviewForm(data=data, criteria=criteria)
    assert not form.is_valid() and "comment" in form.errors
    ratings = [RatingInput(criterion_id=c.pk, rating=Rag.AMBER, comment=long_comment) for c in criteria]
    with pytest.raises(ValidationError) as exc:
        services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings,
                                  decision=QaReview.Decision.RETURNED, comment=long_comment)
    assert "comment" in exc.value.message_dict and f"comment_{criteria[0].pk}" in exc.value.message_dict
    assert not QaReview.objects.exists()
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED

"""Bad input never gives a 500: property-based tests (hypothesis) over every form class in
the portal, and over every page with a form.

1. Every Django form class defined in the portal's own apps (found by importing each
   module of each app) is bound to generated data and validated: hypothesis's `from_form`
   (well-shaped values) and a hostile strategy (huge, empty, control characters, numbers,
   dates, lists, files) — `is_valid()` and rendering must never raise.
2. Every page in the access matrix that shows a form (every app's rows, so new pages are
   covered as they arrive) is fetched as a persona who may use it, its field names are read
   from the HTML, and generated values are submitted: the answer is never a server error.

A form whose constructor needs arguments gets them from FORM_KWARGS (by dotted name) or,
failing that, from GUESSES by parameter name; a form neither covers fails the test with a
message saying where to add it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, InvalidArgument, ResolutionFailed
from hypothesis.extra.django import from_form

from tests.access import OK
from tests.conftest import PERSONAS

FUZZ = hsettings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    # No shrinking: a failure is reported at once with the example that caused it, which
    # keeps the whole file well under a minute even when something breaks.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
PAGE_FUZZ = hsettings(FUZZ, max_examples=4)


# --- discovering the forms -------------------------------------------------------------

def _local_app_packages() -> list[str]:
    base = Path(settings.BASE_DIR).resolve()
    return sorted(
        config.name for config in apps.get_app_configs()
        if base in Path(config.path).resolve().parents and ".venv" not in config.path
    )


def _modules_of(package: str):
    module = importlib.import_module(package)
    yield module
    for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf in {"migrations", "management", "tests"} or ".migrations." in info.name:
            continue
        yield importlib.import_module(info.name)


def discover_forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for package in _local_app_packages():
        for module in _modules_of(package):
            for _name, obj in inspect.getmembers(module, inspect.isclass):
                if not issubclass(obj, forms.BaseForm) or obj.__module__ != module.__name__:
                    continue
                if issubclass(obj, forms.BaseModelForm) and getattr(obj._meta, "model", None) is None:
                    continue  # an abstract base such as GovModelForm
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[key] for key in sorted(found)]


FORMS = discover_forms()


def test_the_form_discovery_finds_the_portals_forms():
    names = {f"{f.__module__}.{f.__qualname__}" for f in FORMS}
    assert {"accounts.forms.PersonForm", "accounts.forms.LoginRequestForm",
            "children.forms.ChildSearchForm"} <= names


# --- constructor arguments ---------------------------------------------------------------

# Explicit constructor arguments for forms that need them (dotted name → world → kwargs).
FORM_KWARGS = {
    "accounts.forms.PersonForm": lambda w: {"fixed_la": w.la},
    "children.forms.AccessDecisionForm": lambda w: {"candidates": [w.child, w.other_child]},
    "children.forms.ChildSearchForm": lambda w: {"schools": [w.school, w.other_school],
                                                 "social_workers": [w.people["social_worker"]]},
    "peps.forms.SectionConfigForm": lambda w: {"configs": _section_configs(w)},
    "meetings.forms.ScheduleForm": lambda w: _schedule_kwargs(w),
    # With no invitees the form still has its notes and outcome fields; the record page
    # (fuzzed below) covers it with real invitees.
    "meetings.forms.RecordForm": lambda w: {"invitees": []},
    "targets.forms.ExportForm": lambda w: {"years": ["2025-26", "2026-27"]},
    "targets.forms.PpPlusRequestForm": lambda w: {"targets": _targets()},
    "quality.forms.ReportingForm": lambda w: {"choices": {"school": [(str(w.school.pk), w.school.name)],
                                                               "ethnicity": [("WBRI", "WBRI")]}},
}


def _section_configs(world):
    from peps.services.config import section_config_for

    return section_config_for(la=world.la, phase="school_age")


def _targets():
    from targets.models import Target

    return Target.objects.all()


def _schedule_kwargs(world):
    from accounts.models import User
    from meetings.services import TeamPerson

    team = [TeamPerson(world.people[key], key.replace("_", " ")) for key in
            ("social_worker", "designated_teacher", "carer", "young_person")]
    return {"chair_queryset": User.objects.filter(local_authority=world.la), "team_people": team}


# Otherwise, arguments are guessed from their names.
GUESSES = {
    "user": lambda w: w.people["social_worker"],
    "actor": lambda w: w.people["social_worker"],
    "request_user": lambda w: w.people["social_worker"],
    "child": lambda w: w.child,
    "la": lambda w: w.la,
    "local_authority": lambda w: w.la,
    "fixed_la": lambda w: w.la,
    "school": lambda w: w.school,
    "schools": lambda w: [w.school],
    "social_workers": lambda w: [w.people["social_worker"]],
    "today": lambda w: dt.date.today(),
    "now": lambda w: timezone.now(),
    "criteria": lambda w: [],
}
SKIP_PARAMS = {"self", "data", "files", "auto_id", "prefix", "initial", "error_class", "label_suffix",
               "empty_permitted", "field_order", "use_required_attribute", "renderer", "instance"}


def constructor_kwargs(form_class, world, draw_bool=None) -> dict:
    key = f"{form_class.__module__}.{form_class.__qualname__}"
    kwargs = {}
    for klass in form_class.__mro__:
        if klass.__module__.startswith("django."):
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for name, param in inspect.signature(init).parameters.items():
            if name in SKIP_PARAMS or name in kwargs or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            if param.default is not inspect.Parameter.empty:
                if isinstance(param.default, bool) and draw_bool is not None:
                    kwargs[name] = draw_bool()
                continue
            if name in GUESSES:
                kwargs[name] = GUESSES[name](world)
            elif param.annotation in (bool, "bool"):
                kwargs[name] = draw_bool() if draw_bool is not None else True
            elif key not in FORM_KWARGS:
                pytest.fail(f"{key} needs the constructor argument {name!r}: add it to FORM_KWARGS "
                            f"in tests/security/test_forms_fuzz.py")
    if key in FORM_KWARGS:
        kwargs.update(FORM_KWARGS[key](world))
    return kwargs


# --- hostile values ----------------------------------------------------------------------

HUGE = "9" * 20_000
text = st.one_of(
    st.just(""), st.just(" "), st.just(HUGE), st.just("x" * 100_001), st.just("\x00"), st.just("<script>"),
    st.just("1e309"), st.just("NaN"), st.just("-0"), st.just("2026-02-30"), st.just("31/12/9999"),
    st.just("00/00/0000"), st.just("../../etc/passwd"), st.just("' OR 1=1 --"),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(str),
    st.decimals(allow_nan=True).map(str),
)
values = st.one_of(text.map(lambda v: [v]), st.lists(text, min_size=0, max_size=3))


def hostile_data(names: list[str]) -> st.SearchStrategy[dict[str, list[str]]]:
    # Each field may be missing, or be given one or several values.
    return st.fixed_dictionaries({}, optional={name: values for name in names})


def field_names(form) -> tuple[list[str], list[str]]:
    """The names the form reads from POST data (MultiWidgets read name_0, name_1, …)."""
    data_names, file_names = [], []
    for name, field in form.fields.items():
        html_name = form.add_prefix(name)
        target = file_names if isinstance(field, forms.FileField) else data_names
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            target.extend(f"{html_name}{suffix}" for suffix in widget.widgets_names)
        else:
            target.append(html_name)
    return data_names, file_names


def random_file(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or "x", content, content_type="text/csv")


files = st.builds(random_file, st.binary(max_size=3000) | st.just(b"email,full_name,role\n" + b"a," * 5000),
                  st.sampled_from(["people.csv", "x.pdf", "", "../../x.csv", "a" * 300]))


def assert_survives(form) -> None:
    form.is_valid()  # any exception fails the test
    form.errors.as_data()
    str(form)  # rendering with its errors must not fail either


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("form_class", FORMS, ids=[f"{f.__module__}.{f.__qualname__}" for f in FORMS])
def test_no_input_breaks_a_form(form_class, world):
    """Hostile values first, then hypothesis's `from_form` (well-shaped values)."""

    @FUZZ
    @given(data=st.data())
    def hostile(data):
        kwargs = constructor_kwargs(form_class, world, draw_bool=lambda: data.draw(st.booleans()))
        unbound = form_class(**kwargs)
        data_names, file_names = field_names(unbound)
        post = data.draw(hostile_data(data_names))
        uploads = {name: data.draw(files) for name in file_names if data.draw(st.booleans())}
        assert_survives(form_class(data=MultiValueDict(post), files=MultiValueDict(
            {k: [v] for k, v in uploads.items()}), **kwargs))

    hostile()

    kwargs = constructor_kwargs(form_class, world)
    try:
        strategy = from_form(form_class, form_kwargs=kwargs)
        strategy.validate()
    except (ResolutionFailed, InvalidArgument) as exc:
        # A field type hypothesis cannot infer (custom fields): the hostile values cover it.
        assert "Could not infer a strategy" in str(exc) or "ResolutionFailed" in type(exc).__name__, exc
        return

    @FUZZ
    @given(form=strategy)
    def well_shaped(form):
        assert_survives(form)

    try:
        well_shaped()
    except HypothesisException as exc:  # an unsatisfiable strategy is not a form failure
        assert "Unsatisfiable" in type(exc).__name__, exc


# --- every page with a form ----------------------------------------------------------------

class _FormFields(HTMLParser):
    """The forms on a page: (method, action, [(name, type)])."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action") or "",
                             "fields": []}
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None and attrs.get("name"):
            self._current["fields"].append((attrs["name"], (attrs.get("type") or tag).lower()))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


# The sign-out forms in the navigation and the timeout warning are on every page.
def _page_forms(html: str, page_url: str) -> list[dict]:
    parser = _FormFields()
    parser.feed(html)
    logout = reverse("account_logout")
    result = []
    for form in parser.forms:
        action = form["action"] or page_url
        if action == logout and page_url != logout:
            continue
        if not action.startswith("/"):
            continue
        names = sorted({name for name, kind in form["fields"] if name != "csrfmiddlewaretoken" and kind != "file"})
        file_names = sorted({name for name, kind in form["fields"] if kind == "file"})
        result.append({"method": form["method"], "action": action, "names": names, "files": file_names})
    return result


PREFERRED = ["admin_user", "social_worker", "designated_teacher", "vs_officer", "carer", "young_person",
             "anonymous"]


def _page_rows():
    from tests.test_access_matrix import ROWS

    cases = []
    for row in ROWS:
        # The first signed-in persona who may use the page, and anonymous people too where
        # they may (sign-in, password reset, request a login).
        chosen = [next((p for p in PREFERRED[:-1] if row.outcome(p) == OK), None)]
        if row.outcome("anonymous") == OK:
            chosen.append("anonymous")
        cases.extend(pytest.param(row, p, id=f"{row.name}-as-{p}") for p in chosen if p is not None)
    return cases


@pytest.fixture
def mfa_off(settings):
    # Pages are fuzzed as force-logged-in personas; the MFA requirement has its own tests.
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.mark.parametrize("row,persona", _page_rows())
def test_no_submission_to_any_page_gives_a_server_error(row, persona, world, mfa_off):
    client = Client()
    if persona != "anonymous":
        assert persona in PERSONAS
        client.force_login(world.people[persona])
    url = reverse(row.name, kwargs=row.kwargs(world))
    response = client.get(url) if row.method == "get" else getattr(client, row.method)(url, {})
    assert response.status_code < 500
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return
    page_forms = _page_forms(response.content.decode(), url)
    if not page_forms:
        return

    @PAGE_FUZZ
    @given(data=st.data())
    def run(data):
        for form in page_forms:
            fields = data.draw(hostile_data(form["names"]))
            fields = {k: v for k, v in fields.items()}
            for name in form["files"]:
                if data.draw(st.booleans()):
                    fields[name] = data.draw(files)
            if form["method"] == "post":
                answer = client.post(form["action"], fields)
            else:
                answer = client.get(form["action"], {k: v[:1] for k, v in fields.items() if isinstance(v, list)})
            assert answer.status_code < 500, f"{form['method'].upper()} {form['action']} gave {answer.status_code}"

    run()


def test_the_two_factor_pages_survive_hostile_codes(world, settings):
    from tests.security.helpers import activate_totp, sign_in

    settings.MFA_REQUIRED_FOR_STAFF = True
    client = Client()
    sign_in(client, world.people["social_worker"].email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    client.get(reverse("account_login"))

    @PAGE_FUZZ
    @given(code=text, other=text)
    def run(code, other):
        cache.clear()
        sign_in(client, world.people["social_worker"].email)
        for name in ("mfa_authenticate", "mfa_reauthenticate", "mfa_activate_totp"):
            answer = client.post(reverse(name), {"code": code, "next": other})
            assert answer.status_code < 500, name
        client.post(reverse("account_logout"))

    run()
    assert secret

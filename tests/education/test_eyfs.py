"""The EYFS profile: the 17 early learning goals recorded one by one, the good level of
development worked out from them as the DfE defines it, never typed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEvent
from education import services
from education.models import EYFS_GOALS, GLD_GOALS, Attainment, EyfsLevel, EyfsProfile
from tests.education import helpers

pytestmark = pytest.mark.django_db

EMERGING = EyfsLevel.EMERGING


def test_there_are_17_goals_and_12_count_for_a_good_level_of_development():
    assert len(EYFS_GOALS) == 17 and len({name for name, _l, _a in EYFS_GOALS}) == 17
    assert len(GLD_GOALS) == 12
    # Understanding the world and expressive arts and design do not count.
    assert {area for name, _l, area in EYFS_GOALS if name not in GLD_GOALS} == {"uw", "ead"}


@pytest.mark.parametrize(("emerging", "gld"), [
    ((), True),
    (("elg_past_and_present", "elg_natural_world", "elg_being_imaginative"), True),  # not prime, literacy or maths
    (("elg_listening",), False),  # communication and language
    (("elg_self_regulation",), False),  # personal, social and emotional development
    (("elg_fine_motor",), False),  # physical development
    (("elg_writing",), False),  # literacy
    (("elg_numerical_patterns",), False),  # mathematics
])
def test_the_good_level_of_development_is_worked_out_from_the_goals(emerging, gld):
    profile = EyfsProfile(**helpers.eyfs_goals(**{name: EMERGING for name in emerging}))
    assert profile.good_level_of_development is gld
    assert profile.expected_count == 17 - len(emerging)


def test_saving_a_profile_writes_one_event_and_the_result_reporting_counts(world, designated_teacher):
    before = AuditEvent.objects.count()
    profile = helpers.eyfs_profile(world.child, actor=designated_teacher, school=world.school)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.object_type, event.verb, event.changes["good_level_of_development"]) == (
        "education.eyfsprofile", "created", [None, True])
    result = Attainment.objects.get(child=world.child, assessment="eyfs")
    assert (result.academic_year, result.term, result.result) == ("2020/21", "summer", "gld")
    # One goal emerging in literacy: no longer a good level of development, in the same one event.
    services.eyfs_profile_save(actor=designated_teacher, child=world.child, instance=profile, elg_writing=EMERGING)
    assert AuditEvent.objects.count() == before + 2
    changes = AuditEvent.objects.latest("id").changes
    assert changes == {"elg_writing": ["expected", "emerging"], "good_level_of_development": [True, False]}
    assert Attainment.objects.get(child=world.child, assessment="eyfs").result == "not_gld"
    # Nothing changed: nothing saved, nothing audited.
    services.eyfs_profile_save(actor=designated_teacher, child=world.child, instance=profile, elg_writing=EMERGING)
    assert AuditEvent.objects.count() == before + 2


def test_a_second_profile_for_the_same_year_is_refused(world):
    helpers.eyfs_profile(world.child)
    with pytest.raises(ValidationError, match="already recorded"):
        helpers.eyfs_profile(world.child)
    assert EyfsProfile.objects.count() == 1


def test_the_good_level_of_development_cannot_be_typed_as_a_result(world):
    with pytest.raises(ValidationError, match="goal by goal"):
        services.attainment_save(actor=None, child=world.child, academic_year="2020/21", term="summer",
                                 assessment="eyfs", subject="Overall", result="gld")
    assert not Attainment.objects.exists()


def _goal_post(**overrides) -> dict[str, str]:
    return {"academic_year": "2020/21", "school": "", **helpers.eyfs_goals(**overrides)}


def test_the_designated_teacher_records_a_profile_and_the_record_page_shows_it(client, world, designated_teacher):
    client.force_login(designated_teacher)
    url = reverse("education_part_new", args=[world.child.pk, "eyfs-profile"])
    form = client.get(url).content.decode()
    assert "Listening, attention and understanding" in form and "Being imaginative and expressive" in form
    response = client.post(url, _goal_post(elg_number=EMERGING))
    assert response.status_code == 302
    profile = EyfsProfile.objects.get(child=world.child)
    assert profile.elg_number == EMERGING and not profile.good_level_of_development
    page = " ".join(client.get(reverse("education_record", args=[world.child.pk])).content.decode().split())
    assert "EYFS profile (end of Reception)" in page
    assert "Not yet</strong> 16 of 17 early learning goals at the expected level" in page


def test_a_profile_with_goals_missing_is_a_govuk_error_and_writes_nothing(client, world, designated_teacher):
    client.force_login(designated_teacher)
    url = reverse("education_part_new", args=[world.child.pk, "eyfs-profile"])
    data = _goal_post()
    del data["elg_speaking"]
    data["elg_writing"] = "mostly"
    page = client.post(url, data).content.decode()
    assert "govuk-error-summary" in page
    assert "Select expected or emerging for speaking" in page
    assert "Select expected or emerging for writing" in page
    assert not EyfsProfile.objects.exists()
    # The typed result is no longer offered on the general results form.
    general = client.get(reverse("education_part_new", args=[world.child.pk, "attainment"])).content.decode()
    assert 'value="eyfs"' not in general and 'value="gld"' not in general


def test_the_family_reads_the_profile_but_cannot_change_it(client, world, carer):
    helpers.eyfs_profile(world.child)
    client.force_login(carer)
    page = client.get(reverse("education_record", args=[world.child.pk])).content.decode()
    assert "Good level of development" in page and "Add an EYFS profile" not in page
    url = reverse("education_part_new", args=[world.child.pk, "eyfs-profile"])
    assert client.post(url, _goal_post()).status_code == 403
    assert EyfsProfile.objects.count() == 1

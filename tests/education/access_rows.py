"""The education record's URLs. Everybody outside the child's team gets 404; family members
read the record and the chronology but change nothing (403)."""

from __future__ import annotations

import datetime as dt

from tests.access import FORBIDDEN, OK, Row

READERS = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK, admin_user=OK)
# The school record: the designated teacher and the Virtual School.
SCHOOL_EDITORS = dict(social_worker=FORBIDDEN, designated_teacher=OK, carer=FORBIDDEN, young_person=FORBIDDEN,
                      vs_officer=OK, admin_user=FORBIDDEN)
# Post-16 EET: the social worker too.
EET_EDITORS = dict(SCHOOL_EDITORS, social_worker=OK)
# Reasons for school moves: the social worker and the Virtual School.
MOVE_EDITORS = dict(SCHOOL_EDITORS, social_worker=OK, designated_teacher=FORBIDDEN)

SCHOOL_PARTS = ("attendance", "exclusion", "part-time-timetable", "alternative-provision", "sen", "attainment",
                "eyfs-profile")


def _child(w):
    return {"pk": w.child.pk}


def _new(part):
    return lambda w: {"pk": w.child.pk, "part": part}


def _item(part):
    def kwargs(w):
        from tests.education import helpers

        if part == "attendance":
            item = helpers.attendance(w.child, w.school)
        elif part == "exclusion":
            item = helpers.exclusion(w.child, w.school)
        elif part == "sen":
            item = helpers.ehcp(w.child, w.la)
        elif part == "attainment":
            item = helpers.termly(w.child)
        elif part == "eyfs-profile":
            item = helpers.eyfs_profile(w.child)
        elif part == "part-time-timetable":
            from education import services

            item = services.part_time_timetable_save(actor=None, child=w.child, school=w.school,
                                                     starts_on=dt.date(2025, 9, 8), ends_on=None,
                                                     hours_per_week=15, review_on=dt.date(2025, 10, 20), reason="")
        elif part == "alternative-provision":
            from education import services

            item = services.alternative_provision_save(actor=None, child=w.child, provider="The Bridge",
                                                       hours_per_week=6, starts_on=dt.date(2025, 9, 8), ends_on=None)
        else:
            from education import services

            item = services.eet_status_save(actor=None, child=w.child, status="neet", starts_on=dt.date(2025, 9, 1),
                                            ends_on=None, provider="", personal_adviser="Pat Adviser",
                                            pathway_plan_reviewed_on=None)
        return {"pk": w.child.pk, "part": part, "item_pk": item.pk}

    return kwargs


def _placement(w):
    return {"pk": w.child.pk, "placement_pk": w.child.placements.get().pk}


ROWS = [
    Row("education_record", READERS, kwargs=_child),
    Row("education_chronology", READERS, kwargs=_child),
    Row("education_school_move", MOVE_EDITORS, kwargs=_placement),
    Row("education_school_move", MOVE_EDITORS, kwargs=_placement, method="post"),
]
for _part in SCHOOL_PARTS + ("eet",):
    _editors = EET_EDITORS if _part == "eet" else SCHOOL_EDITORS
    ROWS += [
        Row("education_part_new", _editors, kwargs=_new(_part)),
        # An empty POST re-renders the form with its errors for editors (nothing written).
        Row("education_part_new", _editors, kwargs=_new(_part), method="post"),
        Row("education_part_edit", _editors, kwargs=_item(_part)),
        Row("education_part_edit", _editors, kwargs=_item(_part), method="post"),
    ]

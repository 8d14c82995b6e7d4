from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone


def _a_term(world):
    import datetime as dt

    from deadlines.models import TermDates

    row, _ = TermDates.objects.get_or_create(
        local_authority=world.la, academic_year="2026/27", term="autumn",
        defaults={"starts_on": dt.date(2026, 9, 2), "ends_on": dt.date(2026, 12, 18),
                  "half_term_starts_on": dt.date(2026, 10, 26), "half_term_ends_on": dt.date(2026, 10, 30)},
    )
    return {"pk": row.pk}


LA_ADMINS = everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)

ROWS = [
    # Everyone sees the deadlines of the children they may open (none for outsiders of a child).
    Row("deadlines_list", everyone(OK)),
    Row("term_dates", LA_ADMINS),
    Row("term_dates_upload", LA_ADMINS),
    Row("term_dates_add", LA_ADMINS),
    Row("term_dates_edit", everyone(FORBIDDEN, admin_user=OK, other_la_admin=NOT_FOUND), kwargs=_a_term),
    Row("deadline_settings", LA_ADMINS),
    Row("concern_request", dict(social_worker=OK, designated_teacher=OK, carer=OK, vs_officer=OK,
                                young_person=FORBIDDEN, admin_user=FORBIDDEN),
        default=NOT_FOUND, kwargs=lambda w: {"pk": w.child.pk}),
]

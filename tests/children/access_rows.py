from tests.access import NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK,
            admin_user=OK)

ROWS = [
    Row("children_list", everyone(OK)),
    Row("child_detail", TEAM, default=NOT_FOUND, kwargs=lambda w: {"pk": w.child.pk}),
]

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK,
            admin_user=OK)
# Team members may open the record but only the Virtual School and LA admins may change it
# (EDIT_RECORD, MANAGE_TEAM); everybody outside the child's team gets 404.
EDITORS = dict(social_worker=FORBIDDEN, designated_teacher=FORBIDDEN, carer=FORBIDDEN, young_person=FORBIDDEN,
               vs_officer=OK, admin_user=OK)
# The audit history is the Virtual School's (VIEW_AUDIT); admins manage people, not audit.
AUDITORS = dict(EDITORS, admin_user=FORBIDDEN)
# Adding and importing children: Virtual School staff and admins, each for their own LA.
MANAGERS = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=OK, other_la_admin=OK)


def _child(w):
    return {"pk": w.child.pk}


def _episode(w):
    return {"pk": w.child.pk, "episode_pk": w.child.care_episodes.get().pk}


def _placement(w):
    return {"pk": w.child.pk, "placement_pk": w.child.placements.get(ended_on__isnull=True).pk}


def _carer_link(w):
    return {"pk": w.child.pk, "link_pk": w.child.team.get(user=w.people["carer"]).pk}


ROWS = [
    Row("children_list", everyone(OK)),
    Row("child_new", MANAGERS),
    Row("child_new", MANAGERS, method="post"),  # an empty form re-renders with errors for managers
    Row("children_import", MANAGERS),
    Row("child_detail", TEAM, default=NOT_FOUND, kwargs=_child),
    Row("child_edit", EDITORS, kwargs=_child),
    Row("child_edit", EDITORS, kwargs=_child, method="post"),
    Row("child_history", AUDITORS, kwargs=_child),
    Row("care_episode_new", EDITORS, kwargs=_child),
    Row("care_episode_end", EDITORS, kwargs=_episode),
    Row("placement_new", EDITORS, kwargs=_child),
    Row("placement_edit", EDITORS, kwargs=_placement),
    Row("placement_edit", EDITORS, kwargs=_placement, method="post"),
    Row("placement_end", EDITORS, kwargs=_placement),
    Row("team_link_new", EDITORS, kwargs=_child),
    Row("team_link_new", EDITORS, kwargs=_child, method="post"),
    Row("team_unlink", EDITORS, kwargs=_carer_link),
    # The confirmation's POST unlinks for real (the world is fresh for each persona).
    Row("team_unlink", EDITORS, kwargs=_carer_link, method="post"),
]


# ---- access to an LA's children: every grant, and requests from other LAs' designated teachers -------

# The child's own LA's admins and Virtual School; another LA's get the same page for their own children.
ACCESS_MANAGERS = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=OK, other_la_admin=OK)
# One grant or request of Testshire's: another LA's managers are told it does not exist.
ONE_OF_OURS = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=NOT_FOUND, other_la_admin=NOT_FOUND)
# Any designated teacher may ask (they learn nothing by asking).
REQUESTERS = everyone(FORBIDDEN, designated_teacher=OK, outsider_designated_teacher=OK)


def _carer_grant(w):
    from children.models import ChildUserObjectPermission

    return {"pk": ChildUserObjectPermission.objects.get(user=w.people["carer"], content_object=w.child).pk}


def _access_request(w):
    from children import services

    request = services.access_request_create(
        requester=w.people["other_la_designated_teacher"], local_authority=w.la, first_name="Ruby",
        last_name="Testchild", date_of_birth=w.child.date_of_birth, reason="She joined my school")
    return {"pk": request.pk}


ACCESS_ROWS = [
    Row("grants_list", ACCESS_MANAGERS, default=FORBIDDEN),
    Row("grant_revoke", ONE_OF_OURS, kwargs=_carer_grant),
    Row("grant_revoke", ONE_OF_OURS, kwargs=_carer_grant, method="post"),
    Row("access_request_list", ACCESS_MANAGERS, default=FORBIDDEN),
    Row("access_request_new", REQUESTERS),
    Row("access_request_new", REQUESTERS, method="post"),  # an empty form re-renders with errors
    Row("access_request_decide", ONE_OF_OURS, kwargs=_access_request),
    Row("access_request_decide", ONE_OF_OURS, kwargs=_access_request, method="post",
        data=lambda w: {"decision": "decline"}),
]

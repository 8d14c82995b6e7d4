"""Access-matrix rows for the data-protection URLs (tests/test_access_matrix.py)."""

import datetime as dt

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

# The child's team may see the record but only the Virtual School answers a subject-access
# request; an LA admin destroys records. Everyone outside the child's LA or team gets 404.
TEAM_FORBIDDEN = dict(social_worker=FORBIDDEN, designated_teacher=FORBIDDEN, carer=FORBIDDEN,
                      young_person=FORBIDDEN, vs_officer=FORBIDDEN, admin_user=FORBIDDEN)
VS_OF_CHILD = dict(TEAM_FORBIDDEN, vs_officer=OK)
ADMIN_OF_CHILD = dict(TEAM_FORBIDDEN, admin_user=OK)
LA_ADMINS = everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)


def _child(w):
    return {"pk": w.child.pk}


def _job(status):
    def kwargs(w):
        from django.core.files.base import ContentFile

        from data_protection.models import SubjectAccessExport

        job = SubjectAccessExport.objects.create(child=w.child, reason="SAR 1", status=status, total=3, progress=1)
        if status == SubjectAccessExport.Status.DONE:
            job.file.save(f"access-{job.pk}.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
        return {"pk": job.pk}

    return kwargs


def _old_child(w):
    """A child of the LA whose destroy-after date has passed; nobody is linked to them."""
    from tests.factories import ChildFactory

    return {"pk": ChildFactory(local_authority=w.la, la_reference="OLD-ACCESS", date_of_birth=dt.date(1940, 1, 2)).pk}


ROWS = [
    Row("subject_access_new", VS_OF_CHILD, kwargs=_child),
    Row("subject_access_new", VS_OF_CHILD, kwargs=_child, method="post", data=lambda w: {"reason": "SAR received"}),
    Row("subject_access_export", VS_OF_CHILD, kwargs=_job("running")),
    Row("subject_access_download", VS_OF_CHILD, kwargs=_job("done")),
    Row("retention_list", LA_ADMINS),
    Row("retention_destroy", ADMIN_OF_CHILD, kwargs=_child),
    # The old child has no team: only the LA's own people can see the record at all.
    Row("retention_destroy", dict(vs_officer=FORBIDDEN, admin_user=OK), default=NOT_FOUND, kwargs=_old_child,
        method="post", data=lambda w: {"confirm": "OLD-ACCESS"}),
]

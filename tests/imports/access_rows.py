from django.core.files.base import ContentFile

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

# SSDA903 and term dates: LA admins and the Virtual School, each into their own LA.
LA_IMPORTERS = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=OK, other_la_admin=OK)
# Attendance: designated teachers (their school's children) and the Virtual School.
ATTENDANCE = everyone(FORBIDDEN, designated_teacher=OK, outsider_designated_teacher=OK, vs_officer=OK,
                      other_la_vs=OK)
INDEX = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=OK, other_la_admin=OK,
                 designated_teacher=OK, outsider_designated_teacher=OK)
# GIAS: platform admins (superusers) only; no persona is one (tested in test_views).
NOBODY = everyone(FORBIDDEN)


def _job(w):
    from imports.models import Ssda903Import

    job = Ssda903Import(local_authority=w.la, requested_by=w.people["admin_user"])
    job.header.save("header.csv", ContentFile(b"CHILD,SEX,DOB\n"), save=False)
    job.save()
    return {"pk": job.pk}


ROWS = [
    Row("imports_index", INDEX),
    Row("ssda903_upload", LA_IMPORTERS),
    Row("ssda903_upload", LA_IMPORTERS, method="post"),  # an empty form re-renders with errors
    # Another LA's importers get 404 for this LA's import; everyone else 403.
    Row("ssda903_import", everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=NOT_FOUND,
                                   other_la_admin=NOT_FOUND), kwargs=_job),
    Row("gias_upload", NOBODY),
    Row("gias_upload", NOBODY, method="post"),
    Row("attendance_upload", ATTENDANCE),
    Row("attendance_upload", ATTENDANCE, method="post"),
    Row("attendance_template", ATTENDANCE),
    Row("imports_term_dates", LA_IMPORTERS),
    Row("imports_term_dates", LA_IMPORTERS, method="post"),
    Row("term_dates_template", LA_IMPORTERS),
]

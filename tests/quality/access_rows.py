"""Access-matrix rows for every quality URL (tests/test_access_matrix.py)."""

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK, admin_user=OK)


def _submitted(world):
    from tests.quality.factories import submitted_pep

    return {"pk": submitted_pep(world.child).pk}


def _criterion(world):
    from quality.services import active_criteria

    return {"pk": active_criteria(world.la)[0].pk}


def _export(world):
    from quality.models import ExportJob

    job = ExportJob.objects.create(la=world.la, academic_year="2025/26", term="summer",
                                   status=ExportJob.Status.RUNNING, total=3, progress=1)
    return {"pk": job.pk}


def _finished_export(world):
    from django.core.files.base import ContentFile

    from quality.models import ExportJob

    job = ExportJob.objects.create(la=world.la, academic_year="2025/26", term="summer", status=ExportJob.Status.DONE)
    job.file.save(f"access-{job.pk}.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    return {"pk": job.pk}


ADMIN_ONLY = everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)
DASHBOARD = everyone(FORBIDDEN, social_worker=OK, designated_teacher=OK, vs_officer=OK, admin_user=OK,
                     outsider_social_worker=OK, outsider_designated_teacher=OK, other_la_vs=OK, other_la_admin=OK)
VS_ONLY = everyone(FORBIDDEN, vs_officer=OK, other_la_vs=OK)
# Reporting covers the person's own LA only: another LA's Virtual School and admins get their
# own LA's figures (tests/quality/test_reporting.py checks they hold none of these children).
REPORTING = everyone(FORBIDDEN, vs_officer=OK, admin_user=OK, other_la_vs=OK, other_la_admin=OK)
VS_OF_LA = everyone(FORBIDDEN, vs_officer=OK, other_la_vs=NOT_FOUND)

ROWS = [
    # Quality assurance is for professionals: for carers and the young person the QA pages
    # do not exist (404), as for someone outside the team.
    Row("pep_quality", dict(TEAM, carer=NOT_FOUND, young_person=NOT_FOUND), kwargs=_submitted),
    # QA is the Virtual School's alone; the rest of the team may read the PEP but not rate it.
    Row("qa_review", dict(TEAM, social_worker=FORBIDDEN, designated_teacher=FORBIDDEN, carer=NOT_FOUND,
                          young_person=NOT_FOUND, admin_user=FORBIDDEN), kwargs=_submitted),
    Row("qa_review", dict(TEAM, social_worker=FORBIDDEN, designated_teacher=FORBIDDEN, carer=NOT_FOUND,
                          young_person=NOT_FOUND, admin_user=FORBIDDEN), kwargs=_submitted, method="post",
        data=lambda w: {}),
    Row("pep_pdf", TEAM, kwargs=_submitted),
    Row("qa_criteria_list", ADMIN_ONLY),
    Row("qa_criterion_new", ADMIN_ONLY),
    Row("qa_criterion_new", ADMIN_ONLY, method="post", data=lambda w: {}),
    Row("qa_criterion_edit", everyone(FORBIDDEN, admin_user=OK, other_la_admin=NOT_FOUND), kwargs=_criterion),
    Row("quality_dashboard", DASHBOARD),
    Row("quality_dashboard_children", DASHBOARD, data=lambda w: {"figure": "needing"}),
    Row("quality_dashboard_csv", DASHBOARD, data=lambda w: {"figure": "needing"}),
    Row("quality_reporting", REPORTING),
    Row("quality_reporting", REPORTING, data=lambda w: {"year": "nonsense", "sen": "<b>"}),
    Row("quality_reporting_print", REPORTING),
    Row("quality_reporting_pdf", REPORTING),
    Row("quality_reporting_csv", REPORTING),
    Row("quality_reporting_children", REPORTING, data=lambda w: {"figure": "cohort"}),
    Row("quality_reporting_children_csv", REPORTING, data=lambda w: {"figure": "cohort"}),
    Row("quality_exports", VS_ONLY),
    Row("quality_exports", VS_ONLY, method="post", data=lambda w: {}),
    Row("quality_export", VS_OF_LA, kwargs=_export),
    Row("quality_export_download", VS_OF_LA, kwargs=_finished_export),
]

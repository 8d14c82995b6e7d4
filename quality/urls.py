from django.urls import path

from . import reporting_views, views

urlpatterns = [
    path("peps/<int:pk>/", views.pep_quality, name="pep_quality"),
    path("peps/<int:pk>/review/", views.qa_review, name="qa_review"),
    path("peps/<int:pk>/pdf/", views.pep_pdf, name="pep_pdf"),
    path("criteria/", views.criteria_list, name="qa_criteria_list"),
    path("criteria/new/", views.criterion_edit, name="qa_criterion_new"),
    path("criteria/<int:pk>/", views.criterion_edit, name="qa_criterion_edit"),
    path("dashboard/", views.dashboard, name="quality_dashboard"),
    path("dashboard/children/", views.dashboard_children, name="quality_dashboard_children"),
    path("dashboard/children.csv", views.dashboard_children_csv, name="quality_dashboard_csv"),
    path("reporting/", reporting_views.reporting_page, name="quality_reporting"),
    path("reporting/print/", reporting_views.reporting_print, name="quality_reporting_print"),
    path("reporting/report.pdf", reporting_views.reporting_pdf, name="quality_reporting_pdf"),
    path("reporting/figures.csv", reporting_views.reporting_csv, name="quality_reporting_csv"),
    path("reporting/children/", reporting_views.reporting_children, name="quality_reporting_children"),
    path("reporting/children.csv", reporting_views.reporting_children_csv, name="quality_reporting_children_csv"),
    path("exports/", views.exports, name="quality_exports"),
    path("exports/<int:pk>/", views.export_progress, name="quality_export"),
    path("exports/<int:pk>/download/", views.export_download, name="quality_export_download"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("", views.imports_index, name="imports_index"),
    path("903/", views.ssda903_upload, name="ssda903_upload"),
    path("903/<int:pk>/", views.ssda903_progress, name="ssda903_import"),
    path("gias/", views.gias_upload, name="gias_upload"),
    path("attendance/", views.attendance_upload, name="attendance_upload"),
    path("attendance/template.csv", views.attendance_template, name="attendance_template"),
    path("term-dates/", views.term_dates_upload, name="imports_term_dates"),
    path("term-dates/template.csv", views.term_dates_template, name="term_dates_template"),
]

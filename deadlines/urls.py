from django.urls import path

from . import views

urlpatterns = [
    path("", views.deadlines_list, name="deadlines_list"),
    path("term-dates/", views.term_dates, name="term_dates"),
    path("term-dates/upload/", views.term_dates_upload, name="term_dates_upload"),
    path("term-dates/new/", views.term_dates_add, name="term_dates_add"),
    path("term-dates/<int:pk>/", views.term_dates_edit, name="term_dates_edit"),
    path("settings/", views.deadline_settings, name="deadline_settings"),
    path("children/<int:pk>/concern-review/", views.concern_request, name="concern_request"),
]

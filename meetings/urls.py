from django.urls import path

from . import views

urlpatterns = [
    path("pep/<int:pep_pk>/schedule/", views.meeting_schedule, name="meeting_schedule"),
    path("pep/<int:pep_pk>/ask-to-arrange/", views.meeting_arrangement_request, name="meeting_arrangement_request"),
    path("<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<int:pk>/pep-meeting.ics", views.meeting_calendar_file, name="meeting_calendar_file"),
    path("<int:pk>/reschedule/", views.meeting_reschedule, name="meeting_reschedule"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/record/", views.meeting_record, name="meeting_record"),
    path("settings/", views.meeting_settings, name="meeting_settings"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("children/<int:pk>/subject-access/", views.subject_access_new, name="subject_access_new"),
    path("subject-access/<int:pk>/", views.subject_access_progress, name="subject_access_export"),
    path("subject-access/<int:pk>/download/", views.subject_access_download, name="subject_access_download"),
    path("retention/", views.retention_list, name="retention_list"),
    path("retention/children/<int:pk>/destroy/", views.retention_destroy, name="retention_destroy"),
]

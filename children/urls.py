from django.urls import path

from . import access_views, views

urlpatterns = [
    path("", views.children_list, name="children_list"),
    path("new/", views.child_new, name="child_new"),
    path("import/", views.children_import_upload, name="children_import"),
    path("access/", access_views.grants_list, name="grants_list"),
    path("access/<int:pk>/revoke/", access_views.grant_revoke, name="grant_revoke"),
    path("access/requests/", access_views.access_request_list, name="access_request_list"),
    path("access/requests/new/", access_views.access_request_new, name="access_request_new"),
    path("access/requests/<int:pk>/", access_views.access_request_decide, name="access_request_decide"),
    path("<int:pk>/", views.child_detail, name="child_detail"),
    path("<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("<int:pk>/history/", views.child_history, name="child_history"),
    path("<int:pk>/care/new/", views.care_episode_new, name="care_episode_new"),
    path("<int:pk>/care/<int:episode_pk>/end/", views.care_episode_end, name="care_episode_end"),
    path("<int:pk>/placements/new/", views.placement_new, name="placement_new"),
    path("<int:pk>/placements/<int:placement_pk>/edit/", views.placement_edit, name="placement_edit"),
    path("<int:pk>/placements/<int:placement_pk>/end/", views.placement_end, name="placement_end"),
    path("<int:pk>/team/new/", views.team_link_new, name="team_link_new"),
    path("<int:pk>/team/<int:link_pk>/unlink/", views.team_unlink, name="team_unlink"),
]

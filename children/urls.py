from django.urls import path

from . import views

urlpatterns = [
    path("", views.children_list, name="children_list"),
    path("new/", views.child_new, name="child_new"),
    path("import/", views.children_import_upload, name="children_import"),
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

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/education/", views.education_record, name="education_record"),
    path("<int:pk>/education/chronology/", views.chronology, name="education_chronology"),
    # Before the generic parts, whose <slug:part> would otherwise match "moves".
    path("<int:pk>/education/moves/<int:placement_pk>/", views.school_move_edit, name="education_school_move"),
    path("<int:pk>/education/<slug:part>/new/", views.record_part_new, name="education_part_new"),
    path("<int:pk>/education/<slug:part>/<int:item_pk>/", views.record_part_edit, name="education_part_edit"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("pep/<int:pep_pk>/", views.pep_targets, name="pep_targets"),
    path("pep/<int:pep_pk>/new/", views.target_add, name="target_add"),
    path("pep/<int:pep_pk>/review/<int:target_pk>/", views.target_review, name="target_review"),
    path("pep/<int:pep_pk>/pp-plus/new/", views.pp_plus_request_new, name="pp_plus_request_new"),
    path("<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("pp-plus/", views.pp_plus_queue, name="pp_plus_queue"),
    path("pp-plus/<int:pk>/decide/", views.pp_plus_decide, name="pp_plus_decide"),
    path("pp-plus/<int:pk>/withdraw/", views.pp_plus_withdraw, name="pp_plus_withdraw"),
    path("pp-plus/allocations/", views.pp_plus_allocations, name="pp_plus_allocations"),
    path("pp-plus/export/", views.pp_plus_export, name="pp_plus_export"),
    path("children/<int:child_pk>/pp-plus/", views.pp_plus_ledger, name="pp_plus_ledger"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.pep_detail, name="pep_detail"),
    path("mine/", views.my_pep_home, name="my_pep_home"),
    path("<int:pk>/mine/", views.my_pep, name="my_pep"),
    path("<int:pk>/sections/<str:letter>/", views.section_detail, name="pep_section"),
    path("<int:pk>/sections/<str:letter>/edit/", views.section_edit, name="pep_section_edit"),
    path("<int:pk>/submit/", views.pep_submit, name="pep_submit"),
    path("<int:pk>/return/", views.pep_return, name="pep_return"),
    path("<int:pk>/reopen/", views.pep_reopen, name="pep_reopen"),
    path("<int:pk>/superseded/<int:copy_pk>/", views.superseded_pdf_download, name="pep_superseded_pdf"),
    path("<int:pk>/documents/new/", views.document_upload, name="pep_document_upload"),
    path("<int:pk>/documents/<int:document_pk>/", views.document_download, name="pep_document_download"),
    path("<int:pk>/documents/<int:document_pk>/change/", views.document_change, name="pep_document_change"),
    path("<int:pk>/documents/<int:document_pk>/remove/", views.document_remove, name="pep_document_remove"),
    path("start/<int:child_pk>/", views.pep_start, name="pep_start"),
    path("settings/sections/", views.section_config, name="pep_section_config"),
    path("settings/sections/<str:phase>/", views.section_config_edit, name="pep_section_config_edit"),
]

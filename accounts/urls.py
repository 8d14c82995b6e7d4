from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people_list, name="people_list"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/upload/", views.people_bulk_invite, name="people_bulk_invite"),
    path("people/<int:pk>/reinvite/", views.person_reinvite, name="person_reinvite"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("request-a-login/", views.login_request_new, name="login_request_new"),
    path("request-a-login/sent/", views.login_request_done, name="login_request_done"),
    path("login-requests/", views.login_request_list, name="login_request_list"),
    path("login-requests/<int:pk>/", views.login_request_decide, name="login_request_decide"),
    path("accessibility/", views.accessibility_statement, name="accessibility_statement"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("cookies/", views.cookies_page, name="cookies_page"),
    path("contact-details/", views.legal_details_edit, name="legal_details_edit"),
    path("local-authorities/<int:pk>/council-sign-in/", views.council_sign_in_settings,
         name="council_sign_in_settings"),
]

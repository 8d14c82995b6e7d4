from django.urls import path

from . import views

urlpatterns = [
    path("", views.children_list, name="children_list"),
    path("<int:pk>/", views.child_detail, name="child_detail"),
]

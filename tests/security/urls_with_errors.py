"""The portal's URLs plus views that fail, to see the error pages as people would."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from epep.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def boom(request):
    raise RuntimeError("a deliberate failure for the error-page test")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [path("test-boom/", boom), path("test-forbidden/", forbidden), *urlpatterns]

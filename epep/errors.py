"""GOV.UK-style error pages (they carry the same CSP as every other page)."""

from __future__ import annotations

import logging

from django.shortcuts import render

security_log = logging.getLogger("epep.security")


def _page(request, status: int, title: str, body: str):
    return render(request, "errors/error.html", {"title": title, "body": body}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Sorry, there is a problem with the request", "Go back and try again.")


def permission_denied(request, exception=None):
    security_log.warning(
        "forbidden",
        extra={"event": "forbidden", "path": request.path, "user_id": getattr(request.user, "pk", None), "status": 403},
    )
    return _page(
        request,
        403,
        "You do not have permission to do this",
        "Your role does not allow this action. Contact your Virtual School if you think it should.",
    )


def csrf_failure(request, reason: str = ""):
    # Django's own CSRF page has inline styles the CSP blocks; this one is GOV.UK style.
    security_log.warning(
        "csrf failure",
        extra={"event": "csrf_failure", "path": request.path, "user_id": getattr(getattr(request, "user", None),
                                                                                   "pk", None), "status": 403},
    )
    return _page(
        request,
        403,
        "Sorry, we could not save that",
        "The page was open for too long or was opened in another window. Go back, refresh the page and try again.",
    )


def page_not_found(request, exception=None):
    security_log.info(
        "not found",
        extra={"event": "not_found", "path": request.path, "user_id": getattr(request.user, "pk", None), "status": 404},
    )
    return _page(
        request,
        404,
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you copied the entire address.",
    )


def server_error(request):
    return render(
        request,
        "errors/error.html",
        {
            "title": "Sorry, there is a problem with the service",
            "body": "Try again later. Anything you saved before has been kept.",
        },
        status=500,
    )

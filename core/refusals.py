"""The one refusal: a service that will not do what it was asked raises `Refused`, with a
message in GOV.UK wording for the person who asked ("This PEP has been approved, so it
cannot be changed"). Views show it with `show_refusal` (core.forms has the form variant).

A rule a form could not check itself (a date clash found in the database) is a Django
`ValidationError` instead, so it lands on the form's field; `Refused` is for "not now, not
this": the thing changed meanwhile, or the person may not.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


class Refused(Exception):
    """A service refused; `message` is what to tell the person. Subclass only to carry
    extra data a view needs (the problems of a submit, the other person's text)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def show_refusal(request: HttpRequest, exc: Refused, to: str, *args, **kwargs) -> HttpResponseRedirect:
    """Tell the person why (an error banner on the next page) and send them to `to` (a URL
    name with its arguments, or a URL)."""
    messages.error(request, exc.message)
    return redirect(to, *args, **kwargs)

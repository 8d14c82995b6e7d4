from __future__ import annotations

from django import template
from django.http import QueryDict

register = template.Library()


@register.filter
def index(sequence, i: int):
    return sequence[i]


@register.filter
def figure_query(year, query: str) -> str:
    """The report's query string with the year of one column (its list is of that year)."""
    params = QueryDict(query, mutable=True)
    params["year"] = str(year.start)
    return params.urlencode()

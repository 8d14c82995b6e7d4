from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def index(sequence, i: int):
    return sequence[i]

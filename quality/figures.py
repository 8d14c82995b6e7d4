"""The dashboard's figures as HTML: everything below the term chooser, rendered once per
version of the data and kept in the cache (the page and the refresh task share it)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString

from accounts.models import User
from core.audit import cached_until_write
from core.calendar import TermRef
from core.text import lower_first

from . import selectors


def dashboard_figures(user: User, term: TermRef) -> SafeString:
    """The rendered figures of the person's dashboard for a term, from the cache or made now.

    Kept per scope, term, day and version of the data (core.audit.cached_until_write),
    and per role: only the role changes the HTML (the Virtual School's links go to the QA
    review). The whole board (a row per child) is not cached here: the page needs only the
    rendered figures, and storing the board would cost more than they take to render. The
    lists behind the figures cache it (selectors.dashboard_cached).
    """
    today = timezone.localdate()

    def render() -> SafeString:
        board = selectors.dashboard_for(user, term, today)
        return render_to_string("quality/includes/dashboard_figures.html", {
            "board": board, "user": user,
            "term_figures": [(k, label) for k, (label, _p) in selectors.FIGURES.items()
                             if not k.startswith(("rag_", "pp_"))],
            "rag_figures": [(k, k[4:], label) for k, (label, _p) in selectors.FIGURES.items() if k.startswith("rag_")],
            "breakdown_figures": [(f, selectors.FIGURES[f][0]) for f in selectors.BREAKDOWN_FIGURES],
            "chart": _chart_geometry(board.chart),
            "breakdown_tables": _breakdown_tables(board),
            "pp_rows": _pp_rows(board.pp_plus),
        })

    key = f"{selectors.dashboard_cache_key(user, term, today)}:html:{user.role}"
    return cached_until_write(key, render, local_authority_id=selectors.scope_la(user))


def _pp_rows(pp) -> list[tuple[str, object, str]]:
    """(label, amount, the figure whose list of children is behind it)."""
    return [("Allocated", pp.allocated, "pp_all"), ("Requested", pp.requested, "pp_requested"),
            ("Approved", pp.approved, "pp_approved"), ("Released (approved PEPs)", pp.released, "pp_released"),
            ("Remaining", pp.remaining, "pp_all")]


def _lower_first(text: str) -> str:
    """"Children needing a PEP" → "children needing a PEP" (str.lower would say "pep")."""
    return lower_first(text)


def _breakdown_tables(board) -> list[dict]:
    """The breakdown tables' rows, built in Python with format_html (which escapes every value).

    At LA scale these are hundreds of rows of links (150 schools, 60 social workers...);
    the template engine took most of the page's time rendering them cell by cell, so each
    row is one format_html call over a row template built once.
    """
    link = ('<td class="govuk-table__cell govuk-table__cell--numeric"><a class="govuk-link" '
            'href="{base}?figure={key}&amp;group={{group}}&amp;term={{term}}">{{{key}}}'
            '<span class="govuk-visually-hidden"> {label}, {{label}}</span></a></td>')
    percent = '<td class="govuk-table__cell govuk-table__cell--numeric">{percent}</td>'
    cells = []
    for key in selectors.BREAKDOWN_FIGURES:
        # The row template's fixed parts are escaped here; {group}, {term}, {label} and the
        # counts are filled in (and escaped) by format_html.
        cells.append(link.format(base=escape(reverse("quality_dashboard_children")), key=key,
                                 label=escape(_lower_first(selectors.FIGURES[key][0]))))
        if key == "held":
            cells.append(percent)
    row_template = ('<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{label}</th>'
                    + "".join(cells) + "</tr>")
    term = board.term.key
    tables = []
    for by, by_label in selectors.BREAKDOWNS.items():
        rows = format_html_join("\n", row_template, (
            {"label": row.label, "group": row.key, "term": term,
             "percent": f"{row.percent}%" if row.percent is not None else "–", **row.counts}
            for row in board.breakdowns[by]))
        tables.append({"by": by, "label": by_label, "rows": rows})
    return tables


def _chart_geometry(points) -> dict:
    """Bars for the SVG: x, y, height in user units; the template writes them as attributes."""
    left, top, width, height = 40, 10, 520, 200
    bar = width / max(len(points), 1)
    bars = []
    for i, point in enumerate(points):
        h = round(height * point.percent / 100, 1)
        bars.append({"point": point, "x": round(left + i * bar + bar * 0.2, 1), "y": round(top + height - h, 1),
                     "width": round(bar * 0.6, 1), "height": h, "label_x": round(left + i * bar + bar / 2, 1),
                     "value_y": round(top + height - h - 4, 1)})
    gridlines = [{"value": v, "y": round(top + height - height * v / 100, 1)} for v in (0, 25, 50, 75, 100)]
    return {"bars": bars, "gridlines": gridlines, "left": left, "right": left + width, "base": top + height,
            "label_y": top + height + 18}

"""Issue 14, point 9: a table wider than three columns is not squeezed into the two-thirds
column (the full-width layout is used for wide tables)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings


def _tables_in_two_thirds(source: str):
    stack: list[bool] = []
    for match in re.finditer(r"<div\b[^>]*>|</div>|<table\b[^>]*>", source):
        tag = match.group(0)
        if tag.startswith("<div"):
            stack.append("govuk-grid-column-two-thirds" in tag)
        elif tag == "</div>":
            if stack:
                stack.pop()
        elif any(stack):
            body = source[match.end():source.find("</table>", match.end())]
            yield source[:match.start()].count("\n") + 1, len(re.findall(r'<th scope="col"', body))


def test_no_wide_table_sits_in_the_two_thirds_column():
    squeezed = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        for line, columns in _tables_in_two_thirds(path.read_text()):
            if columns > 3:
                squeezed.append(f"{path.relative_to(settings.BASE_DIR)}:{line} ({columns} columns)")
    assert not squeezed, "Wide tables in a two-thirds column: " + ", ".join(squeezed)

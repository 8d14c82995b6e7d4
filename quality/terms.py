"""Terms as the dashboards use them: an academic year ("2026/27") and a term name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peps.models import Term

ORDER = [Term.AUTUMN, Term.SPRING, Term.SUMMER]


@dataclass(frozen=True, order=True)
class TermRef:
    start_year: int  # 2026 for 2026/27
    index: int  # 0 autumn, 1 spring, 2 summer

    @property
    def academic_year(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def term(self) -> str:
        return ORDER[self.index].value

    @property
    def key(self) -> str:
        return f"{self.start_year}-{self.term}"

    @property
    def label(self) -> str:
        return f"{ORDER[self.index].label} term {self.academic_year}"

    @property
    def short_label(self) -> str:
        return f"{ORDER[self.index].label[:3]} {self.academic_year}"

    def window(self) -> tuple[dt.date, dt.date]:
        """Calendar bounds used when an LA has not loaded its term dates.

        Autumn runs September to December, spring January to March, summer April to
        August, so every day of the year belongs to exactly one term.
        """
        y = self.start_year
        if self.index == 0:
            return dt.date(y, 9, 1), dt.date(y, 12, 31)
        if self.index == 1:
            return dt.date(y + 1, 1, 1), dt.date(y + 1, 3, 31)
        return dt.date(y + 1, 4, 1), dt.date(y + 1, 8, 31)

    def previous(self) -> TermRef:
        return TermRef(self.start_year, self.index - 1) if self.index else TermRef(self.start_year - 1, 2)

    @classmethod
    def containing(cls, day: dt.date) -> TermRef:
        if day.month >= 9:
            return cls(day.year, 0)
        if day.month <= 3:
            return cls(day.year - 1, 1)
        return cls(day.year - 1, 2)

    @classmethod
    def parse(cls, key: str | None) -> TermRef | None:
        try:
            year, name = (key or "").split("-", 1)
            return cls(int(year), [t.value for t in ORDER].index(name))
        except (ValueError, TypeError):
            return None

    @classmethod
    def of(cls, academic_year: str, term: str) -> TermRef:
        return cls(int(academic_year[:4]), [t.value for t in ORDER].index(term))


def last_terms(today: dt.date, n: int = 6) -> list[TermRef]:
    """The current term and the n-1 before it, oldest first."""
    terms = [TermRef.containing(today)]
    while len(terms) < n:
        terms.append(terms[-1].previous())
    return list(reversed(terms))

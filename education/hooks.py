"""Where higher apps extend the education record (core.hooks; register in AppConfig.ready()).

- `CHRONOLOGY_SOURCE`: `fn(child, professional) -> list[education.chronology.Event]`,
  events the app adds to the child's timeline (PEPs, meetings): one or two queries,
  whatever the history.
"""

from __future__ import annotations

CHRONOLOGY_SOURCE = "chronology_source"

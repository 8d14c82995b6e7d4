"""Where higher apps extend accounts (core.hooks; register in AppConfig.ready()).

- `HOME_PANELS`: `fn(user) -> list[dict]`, the app's panels on the home page (each dict
  names a `template` and carries its data).
- `DEMO_SEED`: `fn(la, schools, people) -> object`, the app's demo data, run by
  `manage.py seed_demo` after accounts' own people. Later apps rely on earlier apps' data,
  so both hooks run in `order`: each app registers with its floor's number in FLOOR_ORDER.
- `PERSON_REGISTERED`: `fn(*, actor, user) -> dict | None`, inside the registering
  transaction of every new person (people page, bulk CSV, approved login request); returns
  the audit changes it made, for the registration's one audit event.
"""

from __future__ import annotations

HOME_PANELS = "home_panels"
DEMO_SEED = "demo_seed"
PERSON_REGISTERED = "person_registered"

# The order of the panels on the home page and of the demo data: each app below the next.
FLOOR_ORDER = {"children": 10, "data_protection": 15, "education": 20, "peps": 30, "meetings": 40,
               "targets": 50, "deadlines": 60, "quality": 70}

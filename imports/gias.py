"""Reading a GIAS establishments file (edubasealldata…csv) before anything is written.

GIAS publishes about 50,000 rows of 140 columns in ISO-8859-1 (in practice Windows-1252:
"St Aidan’s" has a curly apostrophe). The columns used, in either of the forms GIAS
writes them ("LA (name)" or "LA", "EstablishmentStatus (name)" or "(code)"):

URN, EstablishmentName, LA (code), LA (name), TypeOfEstablishment, PhaseOfEducation,
EstablishmentStatus, OfstedRating, Postcode. Every other column is ignored.

Where PhaseOfEducation is "Not applicable" the phase comes from the type: nurseries are
early years, special schools special, pupil referral units and other alternative provision
"alternative provision", further education post-16; anything else all-through.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import School

from .readers import FileProblem, header_key, missing_message, read_csv

_COLUMNS = {
    "URN": ["urn"],
    "name": ["establishmentname", "name", "schoolname"],
    "la_code": ["la(code)", "lacode", "lanumber", "la"],
    "la_name": ["la(name)", "laname", "localauthority"],
    "type": ["typeofestablishment(name)", "typeofestablishment"],
    "type_code": ["typeofestablishment(code)"],
    "phase": ["phaseofeducation(name)", "phaseofeducation", "phase"],
    "phase_code": ["phaseofeducation(code)"],
    "status": ["establishmentstatus(name)", "establishmentstatus", "status"],
    "status_code": ["establishmentstatus(code)"],
    "rating": ["ofstedrating(name)", "ofstedrating", "ofsted"],
    "postcode": ["postcode"],
}
ALIASES = {alias: canonical for canonical, aliases in _COLUMNS.items() for alias in aliases}
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")

_PHASE_NAMES = {
    "nursery": School.Phase.EARLY_YEARS, "primary": School.Phase.PRIMARY,
    "middle deemed primary": School.Phase.PRIMARY, "secondary": School.Phase.SECONDARY,
    "middle deemed secondary": School.Phase.SECONDARY, "16 plus": School.Phase.POST_16,
    "all-through": School.Phase.ALL_THROUGH, "all through": School.Phase.ALL_THROUGH,
}
_PHASE_CODES = {"1": School.Phase.EARLY_YEARS, "2": School.Phase.PRIMARY, "3": School.Phase.PRIMARY,
                "4": School.Phase.SECONDARY, "5": School.Phase.SECONDARY, "6": School.Phase.POST_16,
                "7": School.Phase.ALL_THROUGH}
_STATUS_NAMES = {
    "open": School.Status.OPEN, "closed": School.Status.CLOSED,
    "open, but proposed to close": School.Status.OPEN_PROPOSED_TO_CLOSE,
    "proposed to open": School.Status.PROPOSED_TO_OPEN,
}
_STATUS_CODES = {"1": School.Status.OPEN, "2": School.Status.CLOSED, "3": School.Status.OPEN_PROPOSED_TO_CLOSE,
                 "4": School.Status.PROPOSED_TO_OPEN}
_RATINGS = {
    "outstanding": School.Ofsted.OUTSTANDING, "good": School.Ofsted.GOOD,
    "requires improvement": School.Ofsted.REQUIRES_IMPROVEMENT, "inadequate": School.Ofsted.INADEQUATE,
    "serious weaknesses": School.Ofsted.INADEQUATE, "special measures": School.Ofsted.INADEQUATE,
    "1": School.Ofsted.OUTSTANDING, "2": School.Ofsted.GOOD, "3": School.Ofsted.REQUIRES_IMPROVEMENT,
    "4": School.Ofsted.INADEQUATE,
}


def phase_from_type(type_name: str) -> str:
    t = type_name.lower()
    if "nursery" in t:
        return School.Phase.EARLY_YEARS
    if "special" in t:
        return School.Phase.SPECIAL
    if "pupil referral" in t or "alternative provision" in t:
        return School.Phase.ALTERNATIVE_PROVISION
    if "further education" in t or "sixth form" in t or "16" in t:
        return School.Phase.POST_16
    return School.Phase.ALL_THROUGH


@dataclass
class Row:
    line: int
    urn: str
    name: str
    la_code: str
    la_name: str
    establishment_type: str
    phase: str
    status: str
    ofsted_rating: str
    postcode: str


def parse(data: bytes) -> tuple[list[Row], list[tuple[int, str]]]:
    """The usable rows and (line, problem) for the others. FileProblem: the file cannot be used."""
    table = read_csv(data, ALIASES, encodings=ENCODINGS)
    missing = [c for c, label in (("URN", "URN"), ("name", "EstablishmentName"), ("la_code", "LA (code)"))
               if c not in table.columns]
    if "status" not in table.columns and "status_code" not in table.columns:
        missing.append("EstablishmentStatus")
    if missing:
        raise FileProblem(missing_message([{"URN": "URN", "name": "EstablishmentName", "la_code": "LA (code)"}
                                          .get(m, m) for m in missing]))
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        urn, name = cells.get("URN", ""), cells.get("name", "")
        if not urn.isdigit() or len(urn) > 8:
            problems.append((line, f"URN '{urn}' is not a number of up to 8 digits"))
            continue
        if not name:
            problems.append((line, f"URN {urn} has no EstablishmentName"))
            continue
        if urn in seen:
            problems.append((line, f"URN {urn} is already on line {seen[urn]}"))
            continue
        seen[urn] = line
        status_text = cells.get("status", "").lower()
        status = _STATUS_NAMES.get(status_text) or _STATUS_CODES.get(cells.get("status_code", ""))
        if status is None:
            problems.append((line, f"URN {urn}: EstablishmentStatus '{cells.get('status') or cells.get('status_code')}'"
                                   " is not Open, Closed, Open but proposed to close or Proposed to open"))
            continue
        type_name = cells.get("type", "")
        phase_text = cells.get("phase", "").lower()
        phase = _PHASE_NAMES.get(phase_text) or _PHASE_CODES.get(cells.get("phase_code", "")) \
            or phase_from_type(type_name)
        rating = _RATINGS.get(cells.get("rating", "").lower(), School.Ofsted.NOT_INSPECTED)
        la_code = cells.get("la_code", "")
        la_name = cells.get("la_name", "")
        rows.append(Row(line=line, urn=urn, name=name[:200], la_code=la_code[:8], la_name=la_name[:100],
                        establishment_type=type_name[:100], phase=phase, status=status, ofsted_rating=rating,
                        postcode=cells.get("postcode", "").upper()[:10]))
    return rows, problems


assert header_key("LA (code)") in ALIASES  # the suffixes GIAS writes are part of the key

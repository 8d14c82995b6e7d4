"""Small GIAS establishments files, made from the columns GIAS publishes (edubasealldata….csv)."""

from __future__ import annotations

import csv
import io

# The first columns of the published file, in its order, plus the Ofsted and postcode ones.
COLUMNS = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
    "StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "Street", "Town", "Postcode",
    "OfstedLastInsp", "OfstedRating (name)",
]


def row(urn: str, name: str, *, la_code="860", la_name="Staffordshire", type_name="Community school",
        status="Open", phase="Primary", rating="Good", postcode="ST16 2LP") -> dict[str, str]:
    status_code = {"Open": "1", "Closed": "2", "Open, but proposed to close": "3", "Proposed to open": "4"}[status]
    return {"URN": urn, "LA (code)": la_code, "LA (name)": la_name, "EstablishmentName": name,
            "TypeOfEstablishment (name)": type_name, "EstablishmentStatus (code)": status_code,
            "EstablishmentStatus (name)": status, "PhaseOfEducation (name)": phase, "Postcode": postcode,
            "OfstedRating (name)": rating, "OpenDate": "01/09/1999", "StatutoryLowAge": "4",
            "StatutoryHighAge": "11"}


def gias_bytes(rows: list[dict[str, str]], *, encoding: str = "cp1252", columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)

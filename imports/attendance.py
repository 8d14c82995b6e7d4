"""Reading a school's attendance CSV: per pupil UPN and session counts, under the header
names the common MIS exports use (SIMS, Arbor, Bromcom, ScholarPack; DfE census terms)."""

from __future__ import annotations

from dataclasses import dataclass

from .readers import FileProblem, missing_message, read_csv

TEMPLATE_CSV = ("UPN,Surname,Forename,Possible sessions,Present,Authorised absence,Unauthorised absence\r\n"
                "L201260105001,Example,Pupil,120,112,6,2\r\n")
_ALIASES = {
    **dict.fromkeys(["upn", "uniquepupilnumber", "pupilupn", "upnnumber"], "upn"),
    **dict.fromkeys(["possiblesessions", "possible", "sessionspossible", "possiblemarks", "totalpossible",
                     "possibleattendance", "poss", "totalsessions", "sessions"], "possible"),
    **dict.fromkeys(["present", "sessionspresent", "presentsessions", "attended", "sessionsattended",
                     "attendedsessions", "presentmarks", "totalpresent", "present+aea", "attendances"], "present"),
    **dict.fromkeys(["authorisedabsence", "authorisedabsences", "authorised", "authorisedabsencesessions",
                     "authorizedabsence", "authorizedabsences", "authabs", "sessionsauthorisedabsence",
                     "authorisedabsent", "authorisedsessions"], "authorised"),
    **dict.fromkeys(["unauthorisedabsence", "unauthorisedabsences", "unauthorised", "unauthorisedabsencesessions",
                     "unauthorizedabsence", "unauthorizedabsences", "unauthabs", "sessionsunauthorisedabsence",
                     "unauthorisedabsent", "unauthorisedsessions"], "unauthorised"),
}
REQUIRED = ["upn", "possible", "present", "authorised", "unauthorised"]
LABELS = {"upn": "UPN", "possible": "Possible sessions", "present": "Present", "authorised": "Authorised absence",
          "unauthorised": "Unauthorised absence"}
MAX_ROWS = 5_000


@dataclass
class Row:
    line: int
    upn: str
    possible: int
    present: int
    authorised: int
    unauthorised: int


def parse(data: bytes) -> tuple[list[Row], list[tuple[int, str]]]:
    table = read_csv(data, _ALIASES, max_rows=MAX_ROWS)
    missing = [LABELS[c] for c in REQUIRED if c not in table.columns]
    if missing:
        raise FileProblem(missing_message(missing))
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    for line, cells in table.rows:
        numbers, bad = {}, []
        for column in REQUIRED[1:]:
            text = cells[column].replace(",", "")
            if not text.isdigit():
                bad.append(f"{LABELS[column]} '{cells[column]}' is not a whole number of sessions")
            else:
                numbers[column] = int(text)
        if not cells["upn"]:
            bad.append("UPN is empty")
        if not bad:
            if numbers["present"] + numbers["authorised"] + numbers["unauthorised"] > numbers["possible"]:
                bad.append("Present, authorised and unauthorised absence add up to more than the possible sessions")
        if bad:
            problems.extend((line, message) for message in bad)
            continue
        rows.append(Row(line=line, upn=cells["upn"].replace(" ", "").upper(), **numbers))
    return rows, problems

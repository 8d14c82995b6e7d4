"""Reading and checking an SSDA903 return (the children looked after return) before anything is written.

What is taken (DfE SSDA903 guidance; DOMAIN.md):

- Header table: CHILD (the LA's reference), SEX (1 male, 2 female; M/F accepted), DOB,
  ETHNIC (DfE code, stored with its label), UPN (or UN1–UN5). MOTHER and MC_DOB are read
  but not kept: the portal has no use for them.
- Episodes table: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
  REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN. Each episode is kept with its codes; runs
  of episodes joined by REC "X1" (ceased, with a new episode the same day) make one time
  in care, which ends on the DEC of its last episode (the child has left care).
- Names file (optional; the 903 has none): CHILD, first name, last name, preferred name.
  Without it a new child is "Child <reference>" until someone adds a name.

Dates are DD/MM/YYYY as the return has them (YYYY-MM-DD too, as in the XML form). The XML
form of the return (<Message><Children><Child>… with <EPISODES>) is read into the same
tables. Rows the portal cannot use are reported with their line and skipped; the rest land.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections import defaultdict
from dataclasses import dataclass, field
from xml.etree import ElementTree

from children.upn import normalise as normalise_upn
from children.upn import upn_problem

from .readers import FileProblem, Table, decode, header_key, missing_message, parse_date, read_csv

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
NAME_COLUMNS = ["CHILD", "FIRST_NAME", "LAST_NAME", "PREFERRED_NAME"]
MAX_ROWS = 100_000

_HEADER_ALIASES = {header_key(c): c for c in HEADER_COLUMNS} | {"childid": "CHILD", "childref": "CHILD"}
_EPISODE_ALIASES = {header_key(c): c for c in EPISODE_COLUMNS} | {"childid": "CHILD", "pl": "PLACE",
                                                                   "childref": "CHILD"}
_NAME_ALIASES = {
    "child": "CHILD", "childid": "CHILD", "childref": "CHILD",
    "firstname": "FIRST_NAME", "forename": "FIRST_NAME", "forenames": "FIRST_NAME", "givenname": "FIRST_NAME",
    "lastname": "LAST_NAME", "surname": "LAST_NAME", "familyname": "LAST_NAME",
    "preferredname": "PREFERRED_NAME", "knownas": "PREFERRED_NAME",
}

SEX = {"1": "male", "2": "female", "M": "male", "F": "female", "MALE": "male", "FEMALE": "female"}

# DfE ethnicity codes (SSDA903 and school census).
ETHNIC = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma", "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African", "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Caribbean", "BAFR": "African", "BOTH": "Any other Black background", "CHNE": "Chinese",
    "OOTH": "Any other ethnic group", "REFU": "Refused", "NOBT": "Information not yet obtained",
}

# SSDA903 legal status codes, and the portal's simpler legal status for each.
LEGAL_STATUS = {
    "C1": ("Interim care order", "ico"), "C2": ("Full care order", "co"),
    "D1": ("Freeing order granted", "po"), "E1": ("Placement order granted", "po"),
    "J1": ("Remanded to local authority accommodation or to youth detention accommodation", "remand"),
    "J2": ("Placed in local authority accommodation under the Police and Criminal Evidence Act 1984", "remand"),
    "J3": ("Sentenced to a supervision order with a residence requirement", "remand"),
    "L1": ("Under police protection and in local authority accommodation", "other"),
    "L2": ("Emergency protection order", "epo"),
    "L3": ("Under a child assessment order and in local authority accommodation", "other"),
    "V2": ("Single period of accommodation under section 20", "s20"),
    "V3": ("Accommodated under an agreed series of short-term breaks (single placements)", "s20"),
    "V4": ("Accommodated under an agreed series of short-term breaks (multiple placements)", "s20"),
}
# REC "X1": the episode ceased and a new one began the same day; the time in care goes on.
CONTINUES = "X1"


@dataclass
class Problem:
    line: int
    table: str  # "header", "episodes" or "names"
    child: str
    message: str
    warning: bool = False

    def as_dict(self) -> dict:
        return {"line": self.line, "table": self.table, "child": self.child, "message": self.message,
                "warning": self.warning}


@dataclass
class EpisodeRow:
    line: int
    starts_on: dt.date
    ends_on: dt.date | None
    fields: dict[str, str]  # CareHistoryEpisode's code fields


@dataclass
class Period:
    """One time in care: consecutive episodes joined by REC X1."""

    starts_on: dt.date
    ends_on: dt.date | None
    episodes: list[EpisodeRow]


@dataclass
class ChildRow:
    line: int
    ref: str
    fields: dict  # date_of_birth, gender, ethnicity, upn
    names: dict | None = None
    episodes: list[EpisodeRow] = field(default_factory=list)

    @functools.cached_property
    def periods(self) -> list[Period]:
        periods: list[Period] = []
        for episode in sorted(self.episodes, key=lambda e: e.starts_on):
            previous = periods[-1] if periods else None
            joins = (previous is not None and episode.fields["reason_new_episode"] != "S"
                     and (previous.ends_on is None or previous.episodes[-1].fields["reason_ceased"] == CONTINUES))
            if previous is not None and joins:
                last = previous
                last.episodes.append(episode)
            else:
                last = Period(episode.starts_on, None, [episode])
                periods.append(last)
            final = last.episodes[-1]
            ceased = final.ends_on is not None and final.fields["reason_ceased"] not in ("", CONTINUES)
            last.ends_on = final.ends_on if ceased else None
        return periods

    @property
    def legal_status(self) -> str | None:
        if not self.episodes:
            return None
        code = max(self.episodes, key=lambda e: e.starts_on).fields["legal_status"]
        return LEGAL_STATUS.get(code, (None, None))[1]


@dataclass
class Parsed:
    children: dict[str, ChildRow]
    orphans: dict[str, list[EpisodeRow]]  # episodes of children not in the header (maybe stored already)
    problems: list[Problem]
    header_rows: int = 0
    episode_rows: int = 0
    canonical: dict[str, bytes] = field(default_factory=dict)  # for the DfE validator


# ---- reading ----------------------------------------------------------------------------------------


def _is_xml(data: bytes) -> bool:
    return decode(data[:200]).lstrip("\ufeff \r\n\t").startswith("<")


def _xml_tables(data: bytes) -> tuple[Table, Table]:
    """The XML form: each child element holds the header fields and its EPISODE elements."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise FileProblem(f"The XML file could not be read: {exc}") from exc
    children = [el for el in root.iter() if el.tag.upper() == "CHILD" and len(el)]
    if not children:
        raise FileProblem("The XML file has no <CHILD> elements")
    header, episodes = Table(columns=list(HEADER_COLUMNS)), Table(columns=list(EPISODE_COLUMNS))
    for number, child in enumerate(children, start=1):
        leaves: dict[str, str] = {}
        for node in child.iter():
            if len(node) == 0 and node.text is not None:
                key = _HEADER_ALIASES.get(header_key(node.tag))
                if key and key not in leaves:
                    leaves[key] = node.text.strip()
        header.rows.append((number, {c: leaves.get(c, "") for c in HEADER_COLUMNS}))
        for episode in child.iter():
            if episode.tag.upper() != "EPISODE":
                continue
            cells = {c: "" for c in EPISODE_COLUMNS}
            cells["CHILD"] = leaves.get("CHILD", "")
            for node in episode:
                key = _EPISODE_ALIASES.get(header_key(node.tag))
                if key and key != "CHILD" and node.text is not None:
                    cells[key] = node.text.strip()
            episodes.rows.append((number, cells))
    return header, episodes


def _canonical_csv(table: Table, columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for _line, cells in table.rows:
        writer.writerow([cells.get(c, "") for c in columns])
    return out.getvalue().encode("utf-8")


def _read_tables(header: bytes, episodes: bytes | None) -> tuple[Table, Table]:
    if _is_xml(header):
        return _xml_tables(header)
    head = read_csv(header, _HEADER_ALIASES, max_rows=MAX_ROWS)
    if episodes is None:
        raise FileProblem("Choose the episodes file as well as the header file")
    first_line = decode(header[:2000]).splitlines()[0] if header.strip() else ""
    if "decom" in {header_key(cell) for cell in first_line.split(",")}:
        raise FileProblem("The header file looks like an episodes file: choose the header table (CHILD, SEX, "
                          "DOB, ETHNIC, UPN, MOTHER, MC_DOB) as the header file")
    eps = read_csv(episodes, _EPISODE_ALIASES, max_rows=MAX_ROWS)
    for label, table, required in (("header", head, ("CHILD", "DOB")), ("episodes", eps, ("CHILD", "DECOM"))):
        missing = [c for c in required if c not in table.columns]
        if missing:
            raise FileProblem(f"The {label} file: {missing_message(missing)}")
    return head, eps


# ---- checking ---------------------------------------------------------------------------------------


def parse(*, header: bytes, episodes: bytes | None = None, names: bytes | None = None,
          today: dt.date | None = None) -> Parsed:
    """Read and check the files; raise FileProblem when a file cannot be used at all."""
    today = today or dt.date.today()
    head, eps = _read_tables(header, episodes)
    problems: list[Problem] = []
    children: dict[str, ChildRow] = {}
    for line, cells in head.rows:
        ref = cells.get("CHILD", "")
        if not ref:
            problems.append(Problem(line, "header", "", "CHILD is empty: the row has no child reference"))
            continue
        if len(ref) > 32:
            problems.append(Problem(line, "header", ref, "CHILD is longer than 32 characters"))
            continue
        if ref in children:
            problems.append(Problem(line, "header", ref,
                                    f"Child {ref} is already on line {children[ref].line} of the header file"))
            continue
        dob_text = cells.get("DOB", "")
        dob = parse_date(dob_text)
        if not dob_text:
            problems.append(Problem(line, "header", ref, f"Child {ref} has no date of birth (DOB)"))
            continue
        if dob is None:
            problems.append(Problem(line, "header", ref,
                                    f"DOB '{dob_text}' is not a real date: use DD/MM/YYYY, like 27/03/2014"))
            continue
        if dob > today:
            problems.append(Problem(line, "header", ref, "DOB is in the future"))
            continue
        fields: dict = {"date_of_birth": dob}
        sex = cells.get("SEX", "").upper()
        if sex:
            if sex in SEX:
                fields["gender"] = SEX[sex]
            else:
                problems.append(Problem(line, "header", ref, f"SEX '{sex}' is not 1 (male) or 2 (female): "
                                        "recorded as not known", warning=True))
                fields["gender"] = "not_known"
        ethnic = cells.get("ETHNIC", "").upper()
        if ethnic:
            label = ETHNIC.get(ethnic)
            if label is None:
                problems.append(Problem(line, "header", ref, f"ETHNIC '{ethnic}' is not a DfE ethnicity code: "
                                        "kept as it is", warning=True))
                fields["ethnicity"] = ethnic[:100]
            else:
                fields["ethnicity"] = f"{label} ({ethnic})"
        upn = normalise_upn(cells.get("UPN", ""))
        if upn:
            problem = upn_problem(upn)
            if problem:
                problems.append(Problem(line, "header", ref, f"UPN: {problem}. The child is imported without it",
                                        warning=True))
            else:
                fields["upn"] = upn
        children[ref] = ChildRow(line=line, ref=ref, fields=fields)

    orphans: dict[str, list[EpisodeRow]] = defaultdict(list)
    header_refs = {cells.get("CHILD", "") for _line, cells in head.rows}
    for line, cells in eps.rows:
        episode = _check_episode(line, cells, problems, today)
        if episode is None:
            continue
        ref = cells["CHILD"]
        if ref in children:
            children[ref].episodes.append(episode)
        elif ref not in header_refs:
            orphans[ref].append(episode)
        # else: the child's header row was refused, and that problem is already listed
    for row in children.values():
        starts = [e.starts_on for e in row.episodes]
        if len(starts) != len(set(starts)):
            problems.append(Problem(row.line, "episodes", row.ref,
                                    f"Child {row.ref} has two episodes starting on the same day: the later line "
                                    "is used"))
            seen: dict[dt.date, EpisodeRow] = {}
            for e in row.episodes:
                seen[e.starts_on] = e
            row.episodes = list(seen.values())
        for e in row.episodes:
            if e.starts_on < row.fields["date_of_birth"]:
                problems.append(Problem(e.line, "episodes", row.ref, "DECOM is before the child's date of birth: "
                                        "the episode is skipped"))
        row.episodes = [e for e in row.episodes if e.starts_on >= row.fields["date_of_birth"]]

    if names:
        _read_names(names, children, problems)
    parsed = Parsed(children=children, orphans=dict(orphans), problems=problems,
                    header_rows=len(head.rows), episode_rows=len(eps.rows))
    parsed.canonical = {"header.csv": _canonical_csv(head, HEADER_COLUMNS),
                        "episodes.csv": _canonical_csv(eps, EPISODE_COLUMNS)}
    return parsed


def _check_episode(line: int, cells: dict[str, str], problems: list[Problem], today: dt.date) -> EpisodeRow | None:
    ref = cells.get("CHILD", "")
    if not ref:
        problems.append(Problem(line, "episodes", "", "CHILD is empty: the episode has no child reference"))
        return None
    start_text, end_text = cells.get("DECOM", ""), cells.get("DEC", "")
    starts_on, ends_on = parse_date(start_text), parse_date(end_text) if end_text else None
    if not start_text:
        problems.append(Problem(line, "episodes", ref, "DECOM is empty: the episode has no start date"))
        return None
    if starts_on is None:
        problems.append(Problem(line, "episodes", ref,
                                f"DECOM '{start_text}' is not a real date: use DD/MM/YYYY, like 27/03/2024"))
        return None
    if end_text and ends_on is None:
        problems.append(Problem(line, "episodes", ref,
                                f"DEC '{end_text}' is not a real date: use DD/MM/YYYY, like 27/03/2024"))
        return None
    if starts_on > today:
        problems.append(Problem(line, "episodes", ref, "DECOM is in the future"))
        return None
    if ends_on is not None and ends_on < starts_on:
        problems.append(Problem(line, "episodes", ref, "DEC is before DECOM: the episode ends before it starts"))
        return None
    upper = {k: cells.get(k, "").upper() for k in EPISODE_COLUMNS}
    fields = {
        "reason_new_episode": upper["RNE"][:2], "legal_status": upper["LS"][:2],
        "category_of_need": upper["CIN"][:2], "placement_type": upper["PLACE"][:3],
        "placement_provider": upper["PLACE_PROVIDER"][:3], "reason_ceased": upper["REC"][:4] if ends_on else "",
        "reason_place_change": upper["REASON_PLACE_CHANGE"][:6], "home_postcode": upper["HOME_POST"][:8],
        "placement_postcode": upper["PL_POST"][:8], "placement_urn": upper["URN"][:8],
    }
    if fields["legal_status"] and fields["legal_status"] not in LEGAL_STATUS:
        problems.append(Problem(line, "episodes", ref, f"LS '{fields['legal_status']}' is not an SSDA903 legal "
                                "status code: kept as it is", warning=True))
    return EpisodeRow(line=line, starts_on=starts_on, ends_on=ends_on, fields=fields)


def _read_names(data: bytes, children: dict[str, ChildRow], problems: list[Problem]) -> None:
    table = read_csv(data, _NAME_ALIASES, max_rows=MAX_ROWS)
    missing = [c for c in ("CHILD", "FIRST_NAME", "LAST_NAME") if c not in table.columns]
    if missing:
        raise FileProblem(f"The names file: {missing_message(missing)} (CHILD, first name, last name, "
                          "preferred name)")
    for line, cells in table.rows:
        ref = cells.get("CHILD", "")
        first, last = cells.get("FIRST_NAME", "")[:100], cells.get("LAST_NAME", "")[:100]
        if not ref:
            problems.append(Problem(line, "names", "", "CHILD is empty"))
        elif not first or not last:
            problems.append(Problem(line, "names", ref, "Both the first name and the last name are needed: the "
                                    "name is not changed", warning=True))
        elif ref not in children:
            problems.append(Problem(line, "names", ref, f"Child {ref} is not in the header file: the name is not "
                                    "used", warning=True))
        else:
            children[ref].names = {"first_name": first, "last_name": last,
                                   "preferred_name": cells.get("PREFERRED_NAME", "")[:100]}

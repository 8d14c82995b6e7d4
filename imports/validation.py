"""The DfE's own SSDA903 validation rules, through the maintained csc-validator-be-903 package.

Its findings are shown as warnings beside the import: the portal imports what it can use
whatever they say (an LA fixes its return in its case system, not here).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import re
import warnings

log = logging.getLogger(__name__)

FIRST_RULESET, LAST_RULESET = 2023, 2027  # lac2022_23 … lac2026_27 ship with the package
MAX_FINDINGS = 500


def collection_year(today: dt.date) -> int:
    """The year whose 31 March ends the collection most recently finished (or under way)."""
    return today.year if today.month >= 4 else today.year - 1


def ons_code(name: str, code: str = "") -> str:
    """The LA's ONS code (E06…/E08…/E09…/E10…), which the DfE rules need for placement distances:
    the portal's code when it is one, otherwise looked up by name in the package's own table."""
    if re.fullmatch(r"E\d{8}", code or ""):
        return code
    try:
        from lac_validator.datastore import la_df
    except Exception:  # noqa: BLE001 - the package is optional at this point
        return ""
    wanted = re.sub(r"^(london borough of|royal borough of|city of|county of)\s+|\s+(metropolitan borough|county|"
                    r"city|borough|district)?\s*council$", "", (name or "").strip().lower()).strip()
    found = la_df[la_df["UTLA21NM"].str.lower() == wanted]["UTLA21CD"]
    return str(found.iloc[0]) if len(found) else ""


def validate(files: dict[str, bytes], *, today: dt.date | None = None, la_code: str = "") -> dict:
    """{"findings": [{"code", "message", "table", "child"}], "counted": n, "ruleset": ...} or {"error": ...}."""
    year = min(max(collection_year(today or dt.date.today()), FIRST_RULESET), LAST_RULESET)
    ruleset = f"lac{year - 1}_{year % 100:02d}"
    logging.getLogger("lac_validator").setLevel(logging.CRITICAL)
    try:
        from lac_validator.lac_validator import LacValidator
        from lac_validator.report import Report

        registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
        uploaded = [{"name": name, "file_content": data, "description": "This year"} for name, data in files.items()]
        with warnings.catch_warnings():  # the package's pandas FutureWarnings are not ours to fix
            warnings.simplefilter("ignore", FutureWarning)
            validator = LacValidator(metadata={"collectionYear": str(year), "localAuthority": la_code},
                                     files=uploaded, registry=registry)
            report = Report(validator.ds_results, registry).report
    except Exception as exc:  # the package's own failure must never stop the import
        log.warning("SSDA903 validator failed", extra={"event": "ssda903_validator_failed"}, exc_info=True)
        return {"error": f"The DfE validation rules could not be run on these files ({type(exc).__name__})",
                "findings": [], "counted": 0, "ruleset": ruleset}
    messages = {str(rule.code): rule.message for rule in registry.values()}
    findings: list[dict] = []
    error_columns = [c for c in report.columns if c.startswith("ERR_")]
    counted = 0
    for column in error_columns:
        hits = report[report[column] == True]  # noqa: E712 - a pandas mask
        code = column[4:]
        for _index, row in hits.iterrows():
            counted += 1
            if len(findings) < MAX_FINDINGS:
                findings.append({"code": code, "message": messages.get(code, ""), "table": str(row["Table"]),
                                 "child": "" if row["CHILD"] != row["CHILD"] else str(row["CHILD"])})
    findings.sort(key=lambda f: (f["child"], f["code"]))
    return {"findings": findings, "counted": counted, "ruleset": ruleset,
            "rules_run": len(validator.dones), "rules_skipped": len(validator.skips)}

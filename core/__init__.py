"""The ground floor: what every app shares (audit, notifications, the school calendar, file
jobs, the PDF renderer, the GOV.UK form base, refusals and hooks). It imports no app of
the portal; every app may import it. ARCHITECTURE.md has the floors."""

"""Every write about PEPs, by job: `config` (sections per LA and phase), `workflow` (start,
submit, return, approve, reopen), `sections` (saving a section, keeping a signed-out POST),
`documents` (supporting documents). Callers import from the submodule they need."""

"""Section configuration per LA and phase: which sections a phase has, their titles and editors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import LocalAuthority, User
from children.models import Phase
from core.audit import Verb, audit_record, diff, snapshot

from .. import sections as defs
from ..models import SectionConfig

CONFIG_FIELDS = ("title", "editor_roles", "enabled")


@transaction.atomic
def section_config_defaults(*, la: LocalAuthority, actor: User | None = None) -> dict[str, list[SectionConfig]]:
    """The LA's configuration for every phase, seeding the default the first time it is needed.

    Idempotent: a phase the LA has configured keeps its configuration, and nothing is
    written (so no audit event) when every phase exists already.
    """
    existing: dict[str, list[SectionConfig]] = {p: [] for p in Phase.values}
    for cfg in SectionConfig.objects.filter(local_authority=la).order_by("phase", "letter"):
        existing.setdefault(cfg.phase, []).append(cfg)
    if all(existing[p] for p in Phase.values):
        return existing
    # Lock the LA so that two first uses at once do not both seed.
    LocalAuthority.objects.select_for_update().get(pk=la.pk)
    created = []
    for phase in Phase.values:
        if SectionConfig.objects.filter(local_authority=la, phase=phase).exists():
            continue
        created += SectionConfig.objects.bulk_create(
            SectionConfig(local_authority=la, phase=phase, letter=letter, title=defs.DEFAULT_TITLES[letter],
                          editor_roles=list(defs.DEFAULT_EDITORS[letter]), enabled=True)
            for letter in defs.letters_for(phase)
        )
    audit_record(actor=actor, verb=Verb.CREATED, object_type="peps.sectionconfig", object_id=f"la:{la.pk}",
                 changes={"seeded_defaults": [None, sorted({f"{c.phase}:{c.letter}" for c in created})]})
    result: dict[str, list[SectionConfig]] = {p: [] for p in Phase.values}
    for cfg in SectionConfig.objects.filter(local_authority=la).order_by("phase", "letter"):
        result.setdefault(cfg.phase, []).append(cfg)
    return result


def section_config_for(*, la: LocalAuthority, phase: str) -> list[SectionConfig]:
    return section_config_defaults(la=la)[phase]


@dataclass(frozen=True)
class ConfigRow:
    letter: str
    enabled: bool
    title: str
    editor_roles: list[str]


@transaction.atomic
def section_config_save(*, actor: User, la: LocalAuthority, phase: str,
                        rows: Iterable[ConfigRow]) -> list[SectionConfig]:
    """Change which sections a phase has, their titles and editors. Existing PEPs keep theirs."""
    if actor.local_authority_id != la.pk:
        raise PermissionDenied
    configs = {c.letter: c for c in section_config_for(la=la, phase=phase)}
    before, after = {}, {}
    for row in rows:
        cfg = configs.get(row.letter)
        if cfg is None:
            raise ValidationError(f"Section {row.letter} is not defined for this phase")
        before[row.letter] = snapshot(cfg, CONFIG_FIELDS)
        if row.enabled and not row.editor_roles:
            raise ValidationError({f"editors_{row.letter}": f"Select who edits section {row.letter}"})
        cfg.enabled, cfg.title, cfg.editor_roles = row.enabled, row.title.strip(), sorted(row.editor_roles)
        cfg.full_clean()
        cfg.save(update_fields=list(CONFIG_FIELDS))
        after[row.letter] = snapshot(cfg, CONFIG_FIELDS)
    if not any(c.enabled for c in configs.values()):
        raise ValidationError("Keep at least one section")
    audit_record(actor=actor, verb=Verb.UPDATED, object_type="peps.sectionconfig", object_id=f"la:{la.pk}:{phase}",
                 changes=diff(before, after))
    return list(configs.values())

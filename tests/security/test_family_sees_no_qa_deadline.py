"""The child page's deadlines table shows the Virtual School's quality-assurance step to
professionals only: carers and young people see the PEP deadlines without it (issue 14)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peps.models import Pep
from tests.peps.factories import set_status, start_pep


def test_the_family_sees_no_quality_assurance_deadline_on_the_child_page(world):
    pep = start_pep(world.child)
    Pep.objects.filter(pk=pep.pk).update(meeting_held_on=timezone.localdate())
    set_status(pep, Pep.Status.SUBMITTED)
    url = reverse("child_detail", args=[world.child.pk])
    pages = {}
    for persona in ("vs_officer", "social_worker", "carer", "young_person"):
        client = Client()
        client.force_login(world.people[persona])
        response = client.get(url)
        assert response.status_code == 200
        pages[persona] = response.content.decode()
    assert "Quality assurance" in pages["vs_officer"] and "Quality assurance" in pages["social_worker"]
    assert "Quality assurance" not in pages["carer"] and "Quality assurance" not in pages["young_person"]

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from accounts import services
from core.models import AuditEvent
from core.refusals import Refused
from core.roles import Role

pytestmark = pytest.mark.integration


def test_the_suite_runs_on_postgresql_and_redis(postgres, redis_client):
    with postgres.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13
    assert redis_client.set("epep:integration:ping", "1", ex=10)


@pytest.mark.django_db(transaction=True)
def test_two_people_using_one_invitation_link_at_once_set_one_password(postgres, world):
    person = services.person_register(actor=world.people["admin_user"], email="race@example.test",
                                      full_name="Race Condition", role=Role.CARER,
                                      local_authority=world.la)
    # The token is only ever emailed; make a fresh one the test knows.
    invitation = services.invitation_resend(actor=world.people["admin_user"], user=person)
    token = "race-token-for-the-test"
    invitation.token_hash = services._hash(token)
    invitation.save(update_fields=["token_hash"])

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def accept(password: str) -> None:
        try:
            barrier.wait()
            services.invitation_accept(token=token, password=password)
            outcomes.append("set")
        except Refused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(p,)) for p in
               ("first-long-passphrase-1", "second-long-passphrase-2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "set"]
    assert AuditEvent.objects.filter(verb=AuditEvent.Verb.ACCEPTED, object_id=str(invitation.pk)).count() == 1
    assert connection.vendor == "postgresql"

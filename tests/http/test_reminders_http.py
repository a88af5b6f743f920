"""Resends and reminders through the local server as ``make dev`` runs it: the reminder job on a short
timer, without the quiet day after an invitation, so a key about to expire has its reminder written to
the mail folder beside its invitation; a resend writes the invitation again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.reminders import local_reminders
from tests.http.conftest import Api, local_api
from tests.http.test_invitations_http import wait_for_mail
from tests.support import SEED_BODY, new_token


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def api(maildir: Path) -> Iterator[Api]:
    with local_api("promptster-http-reminders", maildir) as served, local_reminders(0.05):
        yield served


def test_a_key_expiring_within_two_days_gets_its_invitation_then_one_reminder(api: Api, maildir: Path) -> None:
    token = new_token("org_reminders")
    assessment = api.request("POST", "/v1/assessments", token, {**SEED_BODY, "expiresInDays": 1}).body["assessment"]
    body = {"count": 1, "candidateEmails": ["ada@example.com"], "orgName": "Acme"}
    [key] = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, body).body["keys"]

    invitation, reminder = wait_for_mail(maildir, 2)

    assert "invites you" in invitation["Subject"]
    assert reminder["Subject"] == f"Reminder: your {SEED_BODY['title']} assessment key expires soon"
    assert reminder["To"] == "ada@example.com"
    reminder_text = reminder.get_body(preferencelist=("plain",))
    assert reminder_text is not None
    assert key["key"] in reminder_text.get_content()

    # The mail is written before the key records it sent; until then a resend is rightly refused as queued.
    _wait_until_sent(api, token, assessment["id"])
    resent = api.request("POST", f"/v1/assessments/{assessment['id']}/keys/{key['id']}/resend", token)

    assert resent.status == 202
    assert "invites you" in wait_for_mail(maildir, 3)[-1]["Subject"]
    assert len(list(maildir.glob("*.eml"))) == 3  # the reminder is not sent again


def _wait_until_sent(api: Api, token: str, assessment_id: str) -> dict[str, Any]:
    """The assessment's one key once its reminder is recorded as sent."""
    deadline = time.monotonic() + 30
    while True:
        [key] = api.request("GET", f"/v1/assessments/{assessment_id}/keys", token).body["keys"]
        if key["invite"]["status"] == "sent" and key["invite"]["remindedAt"] is not None:
            return dict(key)
        assert time.monotonic() < deadline, f"the reminder was not recorded as sent: {key['invite']}"
        time.sleep(0.05)

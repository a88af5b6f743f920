"""Sending a key's invitation again (at most three times a day), and the hourly job that queues one
reminder for each unused key about to expire: both queue an email the event consumer sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.send_reminders.handler import handler as reminder_job
from infra.local.gateway import LambdaContext
from shared import clock
from shared.consumer import EventConsumer
from shared.domain.invitations import MailSettings
from shared.mail import MailRefusedError, Message
from tests.conftest import RequestCounter
from tests.handlers.test_results import FrozenClock, start
from tests.support import (
    ORG_B,
    RecordingMailer,
    Stream,
    call,
    create_assessment,
    deliver,
    generate_keys,
    invoke,
)

pytestmark = pytest.mark.usefixtures("table")

ADA = "ada@example.com"
MAIL = MailSettings(sender="hiring@acme.example", api_url="https://api.acme.example/prod")


class RefusingMailer(RecordingMailer):
    """Keeps every message, and refuses for good those to the addresses in ``refused``."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[str] = set()

    def send(self, message: Message) -> None:
        if message.recipient in self.refused:
            raise MailRefusedError("MessageRejected: refused for this test")
        super().send(message)


class Mail:
    """The event consumer reading the table's stream, its emails kept."""

    def __init__(self) -> None:
        self.stream = Stream()
        self.mailer = RefusingMailer()
        self.consumer = EventConsumer(self.mailer, MAIL)

    def send(self) -> list[str]:
        """Hand the stream's new records to the consumer; the subjects of the emails it sent."""
        before = len(self.mailer.sent)
        records = self.stream.new_records()
        if records:
            assert deliver(records, self.consumer) == []
        return [message.subject for message in self.mailer.sent[before:]]


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


@pytest.fixture
def mail(table: None) -> Mail:
    return Mail()


def invited(
    mail: Mail, count: int = 1, expires_in_days: int = 7, **fields: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An assessment and ``count`` keys issued to addresses (``fields`` over the request), their invitations sent."""
    assessment = create_assessment(title="Webhooks", expiresInDays=expires_in_days)
    emails = [f"candidate{index}@example.com" for index in range(count)]
    keys = generate_keys(assessment["id"], count, candidateEmails=emails, **fields)
    mail.send()
    return assessment, keys


def resend(assessment: dict[str, Any], key: dict[str, Any], principal: Any = None) -> tuple[int, Any]:
    keywords = {"principal": principal} if principal is not None else {}
    return call("resend_invitation", path={"assessment_id": assessment["id"], "key_id": key["id"]}, **keywords)


def invite_of(assessment: dict[str, Any], key: dict[str, Any]) -> dict[str, Any]:
    _, listed = call("list_keys", path={"assessment_id": assessment["id"]})
    [found] = [each for each in listed["keys"] if each["id"] == key["id"]]
    return dict(found["invite"])


def run_job() -> dict[str, int]:
    result: dict[str, int] = reminder_job({}, LambdaContext(function_name="send_reminders"))
    return result


# Resends


def test_a_resend_queues_the_invitation_and_the_consumer_sends_it_again(mail: Mail, frozen: FrozenClock) -> None:
    assessment, [key] = invited(mail)
    first_sent = invite_of(assessment, key)
    frozen.advance(hours=1)

    status, payload = resend(assessment, key)
    subjects = mail.send()

    assert status == 202
    assert payload["key"]["invite"]["status"] == "queued"
    assert subjects == ["org_a invites you to the Webhooks assessment"]
    assert mail.mailer.sent[-1].recipient == key["candidateEmail"]
    assert first_sent["sentCount"] == 1
    assert invite_of(assessment, key) == {
        "status": "sent",
        "sentAt": first_sent["sentAt"],
        "error": None,
        "sentCount": 2,
        "lastSentAt": clock.to_timestamp(frozen.now),
        "remindedAt": None,
    }


def test_a_fourth_resend_within_a_day_is_refused_with_when_to_retry(mail: Mail, frozen: FrozenClock) -> None:
    assessment, [key] = invited(mail)
    for _ in range(3):
        assert resend(assessment, key)[0] == 202
        mail.send()
        frozen.advance(hours=2)

    refused = invoke("resend_invitation", path={"assessment_id": assessment["id"], "key_id": key["id"]})

    assert (refused.status, refused.body["code"]) == (429, "resend_limited")
    assert refused.headers["Retry-After"] == str(int(timedelta(hours=18).total_seconds()))
    frozen.advance(hours=18)
    assert resend(assessment, key)[0] == 202


def test_a_key_whose_email_is_still_on_its_way_is_not_queued_twice(mail: Mail) -> None:
    assessment, [key] = invited(mail)
    resend(assessment, key)

    status, payload = resend(assessment, key)

    assert (status, payload["code"]) == (409, "invite_queued")
    assert mail.send() == ["org_a invites you to the Webhooks assessment"]


def test_a_key_issued_without_invitations_is_sent_its_first_on_request(mail: Mail) -> None:
    assessment, [key] = invited(mail, sendInvites=False)
    assert mail.mailer.sent == []

    assert resend(assessment, key)[0] == 202

    assert mail.send() == ["org_a invites you to the Webhooks assessment"]


def test_only_an_unused_keys_invitation_is_sent_again(mail: Mail) -> None:
    assessment, [used, revoked, pending] = invited(mail, 3)
    [without_email] = generate_keys(assessment["id"], 1)
    start(used)
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": revoked["id"]})

    assert resend(assessment, without_email)[1]["code"] == "no_email"
    assert resend(assessment, used)[1]["code"] == "key_not_pending"
    assert resend(assessment, revoked)[0] == 404
    assert resend(assessment, pending, principal=ORG_B)[0] == 404
    assert mail.send() == []


def test_an_expired_keys_invitation_is_not_sent_again(mail: Mail, frozen: FrozenClock) -> None:
    assessment, [key] = invited(mail, 1)
    frozen.set(clock.from_timestamp(key["expiresAt"]))

    status, payload = resend(assessment, key)

    assert (status, payload["code"]) == (409, "key_not_pending")


def test_an_idempotent_retry_of_a_resend_sends_nothing_more_and_answers_the_key_as_it_is(mail: Mail) -> None:
    assessment, [key] = invited(mail)
    path, retry = {"assessment_id": assessment["id"], "key_id": key["id"]}, [("Idempotency-Key", "resend-1")]

    invoke("resend_invitation", path=path, headers=retry)
    mail.send()
    again = invoke("resend_invitation", path=path, headers=retry)

    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.body["key"]["invite"]["sentCount"] == 2
    assert mail.send() == []


def test_a_resend_is_one_read_and_one_transaction(mail: Mail, dynamodb_calls: RequestCounter) -> None:
    assessment, [key] = invited(mail)
    dynamodb_calls.reset()

    assert resend(assessment, key)[0] == 202

    assert dict(dynamodb_calls.calls) == {"GetItem": 1, "TransactWriteItems": 1}


# Reminders


def test_a_key_expiring_within_48_hours_is_reminded_once_however_often_the_job_runs(
    mail: Mail, frozen: FrozenClock
) -> None:
    assessment, [key] = invited(mail)
    frozen.set(clock.from_timestamp(key["expiresAt"]) - timedelta(hours=47))

    runs = [run_job() for _ in range(3)]
    subjects = mail.send()
    frozen.advance(hours=1)
    later = run_job()

    assert runs == [{"found": 1, "queued": 1}, {"found": 0, "queued": 0}, {"found": 0, "queued": 0}]
    assert later == {"found": 0, "queued": 0}
    assert subjects == ["Reminder: your Webhooks assessment key expires soon"]
    assert mail.send() == []
    assert invite_of(assessment, key)["remindedAt"] == clock.to_timestamp(frozen.now - timedelta(hours=1))
    assert invite_of(assessment, key)["sentCount"] == 2
    reminder = mail.mailer.sent[-1]
    assert reminder.recipient == key["candidateEmail"]
    assert key["key"] in reminder.text
    assert key["expiresAt"] in reminder.text


def test_a_key_expiring_later_than_48_hours_is_not_reminded_yet(mail: Mail, frozen: FrozenClock) -> None:
    _, [key] = invited(mail)
    frozen.set(clock.from_timestamp(key["expiresAt"]) - timedelta(hours=49))

    assert run_job() == {"found": 0, "queued": 0}
    frozen.advance(hours=2)
    assert run_job() == {"found": 1, "queued": 1}


def test_no_reminder_within_a_day_of_the_candidates_last_email(mail: Mail, frozen: FrozenClock) -> None:
    assessment, [key] = invited(mail, expires_in_days=2)

    assert run_job() == {"found": 1, "queued": 0}
    frozen.advance(hours=23, minutes=59)
    assert run_job() == {"found": 1, "queued": 0}
    frozen.advance(minutes=1)
    assert run_job() == {"found": 1, "queued": 1}
    assert mail.send() == ["Reminder: your Webhooks assessment key expires soon"]
    assert invite_of(assessment, key)["remindedAt"] is not None


@pytest.mark.parametrize("fate", ["used", "revoked", "erased", "resent", "failed"])
def test_no_reminder_for_a_key_used_revoked_or_erased_nor_right_after_a_resend(
    mail: Mail, frozen: FrozenClock, fate: str
) -> None:
    assessment, [key] = invited(mail)
    frozen.set(clock.from_timestamp(key["expiresAt"]) - timedelta(hours=30))
    if fate == "used":
        start(key)
    elif fate == "revoked":
        call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})
    elif fate == "erased":
        call("erase_candidate", body={"email": key["candidateEmail"]})
    elif fate == "resent":
        resend(assessment, key)
    else:
        mail.mailer.refused.add(key["candidateEmail"])
        resend(assessment, key)
    mail.send()

    assert run_job()["queued"] == 0
    assert mail.send() == []


def test_keys_without_an_emailed_invitation_are_never_in_the_reminders_index(mail: Mail, frozen: FrozenClock) -> None:
    assessment = create_assessment()
    [silent] = generate_keys(assessment["id"], 1, candidateEmails=[ADA], sendInvites=False)
    generate_keys(assessment["id"], 1)
    frozen.set(clock.from_timestamp(silent["expiresAt"]) - timedelta(hours=1))

    assert run_job() == {"found": 0, "queued": 0}


def test_each_eligible_key_gets_exactly_one_reminder_and_the_others_none(mail: Mail, frozen: FrozenClock) -> None:
    assessment, keys = invited(mail, 5)
    used, revoked, *eligible = keys
    start(used)
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": revoked["id"]})
    frozen.set(clock.from_timestamp(keys[0]["expiresAt"]) - timedelta(hours=24))

    for _ in range(4):
        run_job()
        mail.send()
        frozen.advance(hours=1)

    reminded = sorted(message.recipient for message in mail.mailer.sent if message.subject.startswith("Reminder"))
    assert reminded == sorted(key["candidateEmail"] for key in eligible)


def test_a_run_queries_each_utc_day_of_its_window_once_and_writes_only_the_reminders_it_queues(
    mail: Mail, frozen: FrozenClock, dynamodb_calls: RequestCounter
) -> None:
    _, keys = invited(mail, 3)
    frozen.set(clock.from_timestamp(keys[0]["expiresAt"]) - timedelta(hours=40))
    dynamodb_calls.reset()

    run_job()
    busy = dict(dynamodb_calls.calls)
    dynamodb_calls.reset()
    run_job()

    assert busy == {"Query": 3, "UpdateItem": 3}
    assert dict(dynamodb_calls.calls) == {"Query": 3}

"""Invitations: keys issued to an address are emailed once, by the event consumer reading the table's
stream (moto serves the stream and SES v2), whatever the stream delivers twice or fails."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from moto.ses.models import ses_backends

from shared import mail, settings
from shared.consumer import EventConsumer, change_of
from shared.domain.events import events_of
from shared.ids import email_digest
from shared.mail import SesMailer
from shared.store.candidate_keys import CandidateKeyStore
from tests.handlers.test_results import GOOD_SCORE, scorable
from tests.support import RecordingMailer, Stream, call, candidate_for, create_assessment, deliver, generate_keys

pytestmark = pytest.mark.usefixtures("table")

ACCOUNT = "123456789012"  # moto's default account
SENDER = "hiring@acme.example"
API_URL = "https://api.acme.example/prod"


@pytest.fixture
def stream(table: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stream]:
    monkeypatch.setenv(settings.MAIL_FROM_VARIABLE, SENDER)
    monkeypatch.setenv(settings.API_URL_VARIABLE, API_URL)
    mail.client.cache_clear()
    yield Stream()
    mail.client.cache_clear()


@pytest.fixture
def verified_sender(stream: Stream) -> None:
    boto3.client("sesv2").create_email_identity(EmailIdentity=SENDER)


def ses_sent() -> list[Any]:
    return list(ses_backends[ACCOUNT]["eu-west-1"].sent_messages)


def invites(assessment_id: str) -> dict[str, dict[str, Any]]:
    _, payload = call("list_keys", path={"assessment_id": assessment_id})
    return {key["candidateEmail"]: key["invite"] for key in payload["keys"]}


def refuse_sends(code: str, times: int) -> None:
    """Make SES answer ``code`` to the next ``times`` SendEmail calls."""
    remaining = [times]

    class Refused:
        status_code = 400

    def answer(**_: Any) -> Any:
        if remaining[0] == 0:
            return None
        remaining[0] -= 1
        return Refused(), {"Error": {"Code": code, "Message": f"{code} for this test"}}

    mail.client().meta.events.register("before-call.sesv2.SendEmail", answer)


EMAILS = ["ada@example.com", "alan@example.org", "grace@example.net"]
# An invitation no email has left for yet.
NOT_SENT = {"sentAt": None, "error": None, "sentCount": 0, "lastSentAt": None, "remindedAt": None}


@pytest.mark.usefixtures("verified_sender")
def test_keys_issued_to_addresses_are_emailed_once_through_ses(stream: Stream) -> None:
    assessment = create_assessment(title="Backend take-home", role="Senior backend engineer", timeLimitMinutes=90)
    keys = generate_keys(assessment["id"], 2, candidateEmails=EMAILS[:2], candidateNames=["Ada", "Alan"])
    assert [key["invite"] for key in keys] == [{"status": "queued", **NOT_SENT}] * 2

    assert deliver(stream.new_records(), EventConsumer(SesMailer())) == []

    sent = ses_sent()
    assert sorted(message.destinations["ToAddresses"][0] for message in sent) == EMAILS[:2]
    for key in keys:
        [message] = [m for m in sent if m.destinations["ToAddresses"] == [key["candidateEmail"]]]
        assert message.source == SENDER
        assert key["key"] in message.body
        assert "Backend take-home" in message.subject
    assert {invite["status"] for invite in invites(assessment["id"]).values()} == {"sent"}
    assert all(invite["sentAt"] for invite in invites(assessment["id"]).values())


@pytest.mark.usefixtures("verified_sender")
def test_a_replayed_record_does_not_send_twice(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    records = stream.new_records()
    consumer = EventConsumer(SesMailer())

    deliver(records, consumer)
    deliver(records, consumer)

    assert len(ses_sent()) == 1


def test_the_invitation_says_who_invites_to_what_with_which_key_and_how_to_start(stream: Stream) -> None:
    assessment = create_assessment(title="Data pipeline", role="Data engineer", timeLimitMinutes=45)
    [key] = generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1], candidateNames=["Ada"], orgName="Acme")
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    [message] = mailer.sent
    for text in (message.text, message.html):
        for fact in ("Acme", "Data pipeline", "Data engineer", "Ada", key["key"], key["expiresAt"], "45 minutes"):
            assert fact in text
        assert f"{API_URL}/v1/sessions" in text
        assert f"promptster start {key['key']} --api {API_URL}" in text
        assert "pipx install promptster-cli" in text
    assert f'curl -X POST {API_URL}/v1/sessions -H "X-API-Key: {key["key"]}"' in message.text
    assert message.text.index("promptster start") < message.text.index("curl")  # the CLI first, curl the fallback
    assert message.recipient == EMAILS[0]


def test_the_invitation_names_the_cli_source_the_deployment_gives(
    stream: Stream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        settings.CLI_PACKAGE_VARIABLE, "https://downloads.acme.com/promptster_cli-0.1.0-py3-none-any.whl"
    )
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    [message] = mailer.sent
    assert "pipx install https://downloads.acme.com/promptster_cli-0.1.0-py3-none-any.whl" in message.text


def test_without_an_org_name_a_candidate_name_or_a_time_limit_the_invitation_still_reads_right(
    stream: Stream,
) -> None:
    assessment = create_assessment(timeLimitMinutes=None)
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    [message] = mailer.sent
    assert message.subject.startswith("org_a invites you")
    assert message.text.startswith("Hello,\n")
    assert "Time limit: none" in message.text


def test_candidate_supplied_names_are_escaped_in_the_html(stream: Stream) -> None:
    assessment = create_assessment(title="Tom & Jerry's <test>")
    name = "<script>alert('x')</script> & Co"
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1], candidateNames=[name], orgName="<b>Acme</b>")
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    [message] = mailer.sent
    assert "<script>" not in message.html
    assert "<b>Acme" not in message.html
    assert html.escape(name) in message.html
    assert html.escape("Tom & Jerry's <test>") in message.html
    assert name in message.text


def test_one_failing_record_is_the_only_one_reported_and_is_sent_once_redelivered(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 3, candidateEmails=EMAILS)
    records = stream.new_records()
    key_records = [record for record in records if record["eventName"] == "INSERT" and "KEY#" in str(record)]
    mailer = RecordingMailer()
    mailer.failing = {EMAILS[1]}

    failed = deliver(records, EventConsumer(mailer))

    failing_record = next(record for record in key_records if EMAILS[1] in str(record))
    assert failed == [failing_record["dynamodb"]["SequenceNumber"]]
    assert sorted(message.recipient for message in mailer.sent) == [EMAILS[0], EMAILS[2]]
    assert invites(assessment["id"])[EMAILS[1]]["status"] == "queued"

    # Lambda delivers again from the failed record on: the ones after it were sent already.
    mailer.failing = set()
    again = [record for record in records if int(record["dynamodb"]["SequenceNumber"]) >= int(failed[0])]
    assert deliver(again, EventConsumer(mailer)) == []

    assert sorted(message.recipient for message in mailer.sent) == sorted(EMAILS)
    assert {invite["status"] for invite in invites(assessment["id"]).values()} == {"sent"}


@pytest.mark.usefixtures("verified_sender")
def test_a_throttled_send_is_retried_and_then_sent(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    records = stream.new_records()
    consumer = EventConsumer(SesMailer())
    refuse_sends("TooManyRequestsException", times=1)

    assert deliver(records, consumer) != []
    assert invites(assessment["id"])[EMAILS[0]]["status"] == "queued"
    assert ses_sent() == []

    assert deliver(records, consumer) == []
    assert len(ses_sent()) == 1
    assert invites(assessment["id"])[EMAILS[0]]["status"] == "sent"


def test_an_unverified_sender_is_recorded_as_failed_without_holding_the_batch(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 2, candidateEmails=EMAILS[:2])

    assert deliver(stream.new_records(), EventConsumer(SesMailer())) == []

    for invite in invites(assessment["id"]).values():
        assert invite["status"] == "failed"
        assert invite["error"].startswith("MessageRejected")
    assert ses_sent() == []


@pytest.mark.usefixtures("verified_sender")
def test_a_refused_address_is_failed_and_the_next_key_still_sent(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 2, candidateEmails=EMAILS[:2])
    refuse_sends("MessageRejected", times=1)

    assert deliver(stream.new_records(), EventConsumer(SesMailer())) == []

    statuses = sorted(invite["status"] for invite in invites(assessment["id"]).values())
    assert statuses == ["failed", "sent"]
    assert len(ses_sent()) == 1


def test_without_a_sender_invitations_fail_as_not_configured(stream: Stream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.MAIL_FROM_VARIABLE)
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    mailer = RecordingMailer()

    assert deliver(stream.new_records(), EventConsumer(mailer)) == []

    assert mailer.sent == []
    assert invites(assessment["id"])[EMAILS[0]] == {"status": "failed", **NOT_SENT, "error": "mail_not_configured"}


def test_send_invites_false_sends_nothing(stream: Stream) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1], sendInvites=False)
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    assert key["invite"] == {"status": "not_requested", **NOT_SENT}
    assert mailer.sent == []
    assert invites(assessment["id"])[EMAILS[0]]["status"] == "not_requested"


def test_keys_without_an_address_have_no_invitation(stream: Stream) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1)
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    assert key["invite"] is None
    assert mailer.sent == []


def test_a_key_revoked_before_its_invitation_is_never_sent(stream: Stream) -> None:
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    call("revoke_key", path={"assessment_id": assessment["id"], "key_id": key["id"]})
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    assert mailer.sent == []
    stored = CandidateKeyStore().get(assessment["id"], key["id"])
    assert stored is not None
    assert stored.invite_status == "queued"


def test_keys_of_a_deleted_assessment_are_never_sent(stream: Stream) -> None:
    assessment = create_assessment()
    generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    call("delete_assessment", path={"assessment_id": assessment["id"]})
    mailer = RecordingMailer()

    deliver(stream.new_records(), EventConsumer(mailer))

    assert mailer.sent == []


def test_the_stream_tells_the_life_of_a_key_and_its_session_as_domain_events(stream: Stream) -> None:
    assessment, key, session = scorable()
    assert call("score_session", body=GOOD_SCORE, path={"session_id": session["id"]})[0] == 200
    call("delete_assessment", path={"assessment_id": assessment["id"]})

    records = [DynamoDBRecord(record) for record in stream.new_records()]
    events = [event for record in records for event in events_of(change_of(record))]

    assert [(event.type, event.subject_id) for event in events] == [
        ("key.created", key["id"]),
        ("session.started", session["id"]),
        ("session.completed", session["id"]),
        ("session.scored", session["id"]),
        ("assessment.deleted", assessment["id"]),
    ]
    assert {(event.org_id, event.assessment_id) for event in events} == {("org_a", assessment["id"])}
    assert len({event.id for event in events}) == len(events)


def test_the_stream_tells_resends_failures_extensions_and_erasures_as_domain_events(stream: Stream) -> None:
    assessment = create_assessment(timeLimitMinutes=30)
    [key] = generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1], sendInvites=False)
    call("resend_invitation", path={"assessment_id": assessment["id"], "key_id": key["id"]})
    session = call("start_session", candidate_for(key))[1]["session"]
    call("extend_session", body={"minutes": 5, "reason": "x"}, path={"session_id": session["id"]})
    call("erase_candidate", body={"email": EMAILS[0]})

    records = [DynamoDBRecord(record) for record in stream.new_records()]
    events = [event for record in records for event in events_of(change_of(record))]

    assert [(event.type, event.subject_id) for event in events] == [
        ("key.created", key["id"]),
        ("invitation.queued", key["id"]),
        ("session.started", session["id"]),
        ("session.extended", session["id"]),
        ("candidate.erased", email_digest(EMAILS[0])),
        ("timeline.erasing", session["id"]),
    ]
    assert [event.invitation is not None for event in events[:2]] == [False, True]


def test_a_failed_email_is_a_domain_event_once(stream: Stream, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.MAIL_FROM_VARIABLE)
    assessment = create_assessment()
    [key] = generate_keys(assessment["id"], 1, candidateEmails=EMAILS[:1])
    deliver(stream.new_records(), EventConsumer(RecordingMailer()))

    records = [DynamoDBRecord(record) for record in stream.new_records()]
    events = [event for record in records for event in events_of(change_of(record))]

    assert [(event.type, event.subject_id) for event in events] == [("invitation.failed", key["id"])]

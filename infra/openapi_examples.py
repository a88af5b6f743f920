"""One example request and response per route, built from the API's own models so they always match
the document (create assessment's is the seed's example, verbatim). No CDK here."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shared import catalog
from shared.models.assessments import (
    SEED_EXAMPLE_REQUEST,
    Assessment,
    AssessmentEnvelope,
    AssessmentPage,
    AssessmentView,
    CandidateAssessment,
)
from shared.models.ats import (
    AshbyAssessmentId,
    AshbyAssessmentList,
    AshbyAssessmentType,
    AshbyStarted,
    GreenhouseTestStatus,
    PartnerTest,
    ResponseErrorAnswer,
    SendTestResponse,
)
from shared.models.audit import AuditActor, AuditLogRecord, AuditPage, AuditResource
from shared.models.candidate_keys import CandidateKey, Erasure, Invite, KeyEnvelope, KeyList, KeyPage
from shared.models.common import Deleted
from shared.models.integrations import CreatedIntegration, Integration, IntegrationPage
from shared.models.issues import IssueEnvelope, IssuePage
from shared.models.rubrics import Criterion, Rubric, RubricEnvelope, RubricPage
from shared.models.sessions import (
    CandidateSession,
    CandidateSessionEnvelope,
    Extension,
    ListedSession,
    Score,
    ScoredCriterion,
    Session,
    SessionEnvelope,
    SessionPage,
    StartedSession,
    Submission,
)
from shared.models.shares import CreatedShare, Share, SharePage
from shared.models.signals import AssessmentStats, Signals, Spread
from shared.models.telemetry import Event, IngestResult, TimelinePage
from shared.models.webhooks import (
    CreatedWebhook,
    Delivery,
    DeliveryPage,
    QueuedEvent,
    Webhook,
    WebhookEnvelope,
    WebhookPage,
)

ASSESSMENT_ID = "01234567-89ab-cdef-0123-456789abcdef"
KEY_ID = "0195f3a2-c1e8-7c3a-9b5d-2f4e6a8c0b1d"
SESSION_ID = "0195f3a4-0b2c-7d1e-8f3a-5b6c7d8e9f01"
RUBRIC_ID = "0195f3a0-7e6d-7c5b-9a48-3f2e1d0c9b8a"
ORG_ID = "org_abc123"
CREATED_AT = "2026-04-01T10:00:00Z"

ASSESSMENT = Assessment.model_validate(
    {
        **SEED_EXAMPLE_REQUEST,
        "id": ASSESSMENT_ID,
        "orgId": ORG_ID,
        "repoUrl": None,
        "issueId": None,
        "rubricId": None,
        "createdAt": CREATED_AT,
        "updatedAt": CREATED_AT,
    }
)
ASSESSMENT_VIEW = AssessmentView.model_validate({**ASSESSMENT.model_dump(), "issue": None})
INVITE = Invite(
    status="sent",
    sent_at="2026-04-01T10:05:02Z",
    error=None,
    sent_count=1,
    last_sent_at="2026-04-01T10:05:02Z",
    reminded_at=None,
)
KEY = CandidateKey(
    id=KEY_ID,
    key="PST-7K3M-Q9XD",
    assessment_id=ASSESSMENT_ID,
    org_id=ORG_ID,
    candidate_email="ada@example.com",
    candidate_name="Ada Lovelace",
    status="pending",
    session_id=None,
    expires_at="2026-04-08T10:05:00Z",
    redeemed_at=None,
    completed_at=None,
    created_at="2026-04-01T10:05:00Z",
    invite=INVITE,
    erased_at=None,
    extra_minutes=0,
)
RESENT_KEY = KEY.model_copy(update={"invite": INVITE.model_copy(update={"status": "queued"})})
CRITERIA = (
    Criterion(name="Correctness", description="Events are validated, stored and deduplicated.", weight=60),
    Criterion(name="Code quality", description=None, weight=40),
)
RUBRIC = Rubric(
    id=RUBRIC_ID,
    org_id=ORG_ID,
    name="Backend take-home",
    description="How we score backend assessments.",
    criteria=list(CRITERIA),
    created_at=CREATED_AT,
    updated_at=CREATED_AT,
)
_SESSION_FIELDS: dict[str, Any] = {
    "id": SESSION_ID,
    "assessment_id": ASSESSMENT_ID,
    "key_id": KEY_ID,
    "org_id": ORG_ID,
    "candidate_email": "ada@example.com",
    "candidate_name": "Ada Lovelace",
    "started_at": "2026-04-02T09:00:00Z",
    "deadline": "2026-04-02T11:00:00Z",
    "erased_at": None,
    "extensions": [],
}
SUBMISSION = Submission(url="https://github.com/ada/webhooks/pull/1", notes="Deduplication is by event id.")
STARTED = CandidateSession(
    **_SESSION_FIELDS,
    status="in_progress",
    completed_at=None,
    duration_seconds=None,
    submission=None,
    remaining_seconds=7200,
)
COMPLETED = CandidateSession(
    **_SESSION_FIELDS,
    status="completed",
    completed_at="2026-04-02T10:41:00Z",
    duration_seconds=6060,
    submission=SUBMISSION,
    remaining_seconds=0,
)
SCORE_REQUEST = {"criteria": [{"name": "Correctness", "score": 90}, {"name": "Code quality", "score": 75.5}]}
SIGNALS = Signals(
    event_count=42,
    prompt_count=12,
    tool_call_count=15,
    test_run_count=6,
    test_pass_count=4,
    decision_count=3,
    first_event_at="2026-04-02T09:01:12.000Z",
    last_event_at="2026-04-02T10:39:50.000Z",
    ai_attribution_pct=62.5,
)
EVENT = Event(
    id="0195f3a5-2c3d-7e4f-8a5b-6c7d8e9f0a1b",
    type="decision",
    at="2026-04-02T09:20:00.000Z",
    source="cli",
    tool="mcp",
    data={"title": "Deduplicate on the event id, not the payload hash"},
    received_at="2026-04-02T09:20:01.250Z",
)
SCORED = Session(
    **_SESSION_FIELDS,
    signals=SIGNALS,
    tools=["claude-code", "cli", "mcp"],
    status="completed",
    completed_at="2026-04-02T10:41:00Z",
    duration_seconds=6060,
    submission=SUBMISSION,
    score=Score(
        criteria=(
            ScoredCriterion(name="Correctness", weight=60, score=90),
            ScoredCriterion(name="Code quality", weight=40, score=75.5),
        ),
        total_score=84.2,
        comment="Solid; tests for the duplicate path would help.",
        scored_at="2026-04-03T08:00:00Z",
    ),
)
EXTENSION = Extension(minutes=30, reason="Outage on the candidate's side", at="2026-04-02T10:15:00Z")
EXTENDED = Session(
    **{**_SESSION_FIELDS, "deadline": "2026-04-02T11:30:00Z", "extensions": [EXTENSION]},
    signals=SIGNALS,
    tools=["claude-code", "cli"],
    status="in_progress",
    completed_at=None,
    duration_seconds=None,
    submission=None,
    score=None,
)
EDITED = AssessmentView.model_validate(
    {**ASSESSMENT_VIEW.model_dump(), "time_limit_minutes": 90, "updated_at": "2026-04-01T12:00:00Z"}
)
AUDIT_RECORD = AuditLogRecord(
    id="0195f3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
    at="2026-04-01T12:00:00Z",
    action="assessment.update",
    resource=AuditResource(type="assessment", id=ASSESSMENT_ID),
    actor=AuditActor(type="token", id="0195f39f-0a1b-7c2d-8e3f-4a5b6c7d8e9f", name="ci pipeline"),
    request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    changes=["timeLimitMinutes"],
)
CANDIDATE_ASSESSMENT = CandidateAssessment(
    id=ASSESSMENT_ID,
    title=ASSESSMENT.title,
    role=ASSESSMENT.role,
    task_brief=ASSESSMENT.task_brief,
    repo_url=None,
    time_limit_minutes=ASSESSMENT.time_limit_minutes,
    issue=None,
)

WEBHOOK = Webhook(
    id="0195f3b1-4c2d-7e8f-9a0b-1c2d3e4f5a6b",
    org_id=ORG_ID,
    url="https://ats.example.com/hooks/promptster",
    events=["session.completed", "session.scored"],
    description="Applicant tracking: results",
    status="active",
    disabled_reason=None,
    share_reports=True,
    created_at=CREATED_AT,
    updated_at=CREATED_AT,
)
SHARE = Share(
    id="0195f3c0-2b1a-7d9e-8c7b-6a5f4e3d2c1b",
    session_id=SESSION_ID,
    created_at=CREATED_AT,
    expires_at="2026-05-01T10:00:00Z",
    webhook_id=None,
)
SHARE_CREATED = CreatedShare(
    id=SHARE.id,
    url="https://api.example.com/v1/reports/q3b2Yx0LrJm0c9kV8wZc1uQe7HtFz5aN4sDpG6iRb2E",
    expires_at=SHARE.expires_at,
)
# The start of a report page (the whole is one self-contained HTML document).
REPORT_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Session report: Ada Lovelace</title>\n<style>…</style>\n</head>\n<body>…</body>\n</html>\n"
)
EXAMPLE_SECRET = "whsec_2b9Jk7rQ0xZ4mN8pV1cT6yH3wE5uA9sD0fG7hJ2kL4q"  # noqa: S105 - a documentation example
DELIVERY = Delivery(
    event_id="evt_5d41402abc4b2a76b9719d911017c592",
    type="session.completed",
    attempt=1,
    status_code=200,
    duration_ms=184,
    error=None,
    at="2026-04-02T09:12:03Z",
)


INTEGRATION = Integration(
    id="0195f3d0-6a5b-7c4d-8e3f-2a1b0c9d8e7f",
    type="greenhouse",
    created_at=CREATED_AT,
    endpoints={
        name: f"https://api.example.com/v1/ats/greenhouse/{call}"
        for name, call in (
            ("listTests", "list_tests"),
            ("sendTest", "send_test"),
            ("testStatus", "test_status"),
            ("responseError", "response_error"),
        )
    },
)
INTEGRATION_KEY = "psi_live_7Hc2Qm9TzR4vX1bN8kJ5wL3yP6dF0gS2aE9uK4rM"
GREENHOUSE_CALLBACK = "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/12345"
TEST_STATUS = GreenhouseTestStatus(
    partner_status="complete",
    partner_profile_url=SHARE_CREATED.url,
    partner_score=85.25,
    metadata={"Status": "completed", "Duration (minutes)": 47.5, "Prompts": 12, "Test runs passed": 4},
)
ASHBY_START = {
    "assessment_type_id": ASSESSMENT_ID,
    "candidate": {
        "ashby_id": "b7a1f1c2-0d3e-4f5a-9b6c-7d8e9f0a1b2c",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "ashby_profile_url": "https://app.ashbyhq.com/candidates/b7a1f1c2-0d3e-4f5a-9b6c-7d8e9f0a1b2c",
    },
    "application": {"ashby_id": "c8b2a2d3-1e4f-4a6b-8c7d-9e0f1a2b3c4d", "status": "Active"},
    "job": {"ashby_id": "d9c3b3e4-2f5a-4b7c-9d8e-0f1a2b3c4d5e", "name": "Senior Backend Engineer"},
}


def _json(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True)


def examples() -> dict[str, tuple[Any, Any]]:
    """Route name -> (example request body or None, example response body)."""
    issue = catalog.all_issues()[0]
    return {
        "create_assessment": (SEED_EXAMPLE_REQUEST, _json(AssessmentEnvelope(assessment=ASSESSMENT_VIEW))),
        "list_assessments": (None, _json(AssessmentPage(assessments=[ASSESSMENT_VIEW], next_cursor=None))),
        "get_assessment": (None, _json(AssessmentEnvelope(assessment=ASSESSMENT_VIEW))),
        "update_assessment": ({"timeLimitMinutes": 90}, _json(AssessmentEnvelope(assessment=EDITED))),
        "delete_assessment": (None, _json(Deleted(id=ASSESSMENT_ID))),
        "generate_keys": (
            {"count": 1, "candidateEmails": ["ada@example.com"], "candidateNames": ["Ada Lovelace"]},
            _json(KeyList(keys=[KEY])),
        ),
        "list_keys": (None, _json(KeyPage(keys=[KEY], next_cursor=None))),
        "revoke_key": (None, _json(Deleted(id=KEY_ID))),
        "resend_invitation": (None, _json(KeyEnvelope(key=RESENT_KEY))),
        "list_sessions": (
            None,
            _json(
                SessionPage(
                    sessions=[
                        ListedSession(**SCORED.model_dump(), percentiles={"eventCount": 50, "testPassCount": 50})
                    ],
                    next_cursor=None,
                )
            ),
        ),
        "start_session": (None, _json(StartedSession(session=STARTED, assessment=CANDIDATE_ASSESSMENT))),
        "get_session": (None, _json(SessionEnvelope(session=SCORED))),
        "complete_session": (
            {"submissionUrl": SUBMISSION.url, "notes": SUBMISSION.notes},
            _json(CandidateSessionEnvelope(session=COMPLETED)),
        ),
        "extend_session": (
            {"minutes": EXTENSION.minutes, "reason": EXTENSION.reason},
            _json(SessionEnvelope(session=EXTENDED)),
        ),
        "score_session": (SCORE_REQUEST, _json(SessionEnvelope(session=SCORED))),
        "ingest_events": (
            {"events": [{name: value for name, value in _json(EVENT).items() if name != "receivedAt"}]},
            _json(IngestResult(accepted=1, duplicates=0)),
        ),
        "get_timeline": (None, _json(TimelinePage(events=[EVENT], next_cursor=None))),
        "get_report": (None, REPORT_PAGE),
        "create_share": ({"expiresInDays": 30}, _json(SHARE_CREATED)),
        "list_shares": (None, _json(SharePage(shares=[SHARE], next_cursor=None))),
        "revoke_share": (None, _json(Deleted(id=SHARE.id))),
        "get_assessment_stats": (
            None,
            _json(
                AssessmentStats(
                    sessions=1,
                    signals={
                        name: Spread(min=value, p25=value, median=value, p75=value, max=value)
                        for name, value in (("eventCount", 42), ("testPassCount", 4))
                    },
                    percentiles={SESSION_ID: {"eventCount": 50, "testPassCount": 50}},
                )
            ),
        ),
        "erase_candidate": ({"email": "ada@example.com"}, _json(Erasure(erased=2))),
        "create_rubric": (
            {
                "name": RUBRIC.name,
                "description": RUBRIC.description,
                "criteria": [_json(criterion) for criterion in CRITERIA],
            },
            _json(RubricEnvelope(rubric=RUBRIC)),
        ),
        "list_rubrics": (None, _json(RubricPage(rubrics=[RUBRIC], next_cursor=None))),
        "get_rubric": (None, _json(RubricEnvelope(rubric=RUBRIC))),
        "delete_rubric": (None, _json(Deleted(id=RUBRIC_ID))),
        "create_webhook": (
            {
                "url": WEBHOOK.url,
                "events": list(WEBHOOK.events),
                "description": WEBHOOK.description,
                "shareReports": WEBHOOK.share_reports,
            },
            _json(CreatedWebhook(webhook=WEBHOOK, secret=EXAMPLE_SECRET)),
        ),
        "list_webhooks": (None, _json(WebhookPage(webhooks=[WEBHOOK], next_cursor=None))),
        "get_webhook": (None, _json(WebhookEnvelope(webhook=WEBHOOK))),
        "delete_webhook": (None, _json(Deleted(id=WEBHOOK.id))),
        "test_webhook": (None, _json(QueuedEvent(event_id="evt_0195f3b2a1c47d3e9f0a1b2c3d4e5f60", type="ping"))),
        "list_webhook_deliveries": (None, _json(DeliveryPage(deliveries=[DELIVERY], next_cursor=None))),
        "list_audit": (None, _json(AuditPage(records=[AUDIT_RECORD], next_cursor=None))),
        "list_issues": (
            None,
            _json(IssuePage(issues=[issue], total=len(catalog.all_issues()), limit=20, offset=0, next_cursor=None)),
        ),
        "get_issue": (None, _json(IssueEnvelope(issue=issue))),
        "create_integration": (
            {"type": "greenhouse"},
            _json(CreatedIntegration(**INTEGRATION.model_dump(), api_key=INTEGRATION_KEY)),
        ),
        "list_integrations": (None, _json(IntegrationPage(integrations=[INTEGRATION], next_cursor=None))),
        "delete_integration": (None, _json(Deleted(id=INTEGRATION.id))),
        "list_integration_deliveries": (
            None,
            _json(DeliveryPage(deliveries=[DELIVERY.model_copy(update={"status_code": 204})], next_cursor=None)),
        ),
        "greenhouse_list_tests": (
            None,
            [
                _json(
                    PartnerTest(
                        partner_test_id=ASSESSMENT_ID, partner_test_name=f"{ASSESSMENT.title} ({ASSESSMENT.role})"
                    )
                )
            ],
        ),
        "greenhouse_send_test": (
            {
                "partner_test_id": ASSESSMENT_ID,
                "candidate": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
                "url": GREENHOUSE_CALLBACK,
            },
            _json(SendTestResponse(partner_interview_id=KEY_ID)),
        ),
        "greenhouse_test_status": (None, _json(TEST_STATUS)),
        "greenhouse_response_error": (
            {
                "api_call": "test_status",
                "errors": ["partner_status is 'complete' but partner_profile url is missing"],
                "partner_interview_id": KEY_ID,
            },
            _json(ResponseErrorAnswer()),
        ),
        "ashby_list_assessments": (
            {},
            _json(
                AshbyAssessmentList(
                    results=[
                        AshbyAssessmentType(
                            assessment_type_id=ASSESSMENT_ID,
                            name=ASSESSMENT.title,
                            description=f"{ASSESSMENT.role}, {ASSESSMENT.time_limit_minutes} minutes",
                        )
                    ]
                )
            ),
        ),
        "ashby_start_assessment": (ASHBY_START, _json(AshbyStarted(results=AshbyAssessmentId(assessment_id=KEY_ID)))),
        "ashby_cancel_assessment": (
            {"assessment_id": KEY_ID},
            _json(AshbyStarted(results=AshbyAssessmentId(assessment_id=KEY_ID))),
        ),
    }

"""Invitations through the local server: generating keys with emails writes one ``.eml`` per candidate,
read from the embedded table's stream by the same consumer the Lambda function runs."""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from infra.local.stream import LOCAL_SENDER
from tests.http.conftest import Api, local_api
from tests.support import SEED_BODY, new_token

EMAILS = ["ada@example.com", "alan@example.org"]


@pytest.fixture(scope="module")
def maildir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def api(maildir: Path) -> Iterator[Api]:
    """The local server as ``make dev`` runs it: the API and the stream's consumer beside it."""
    with local_api("promptster-http-mail", maildir) as served:
        yield served


def wait_for_mail(folder: Path, count: int) -> list[EmailMessage]:
    """The ``.eml`` files in ``folder`` once there are ``count`` of them (failing after a few seconds)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml"))
        if len(files) >= count:
            return [email.message_from_bytes(path.read_bytes(), policy=default) for path in files]
        time.sleep(0.05)
    raise AssertionError(f"{count} message(s) expected in {folder}, found {len(list(folder.glob('*.eml')))}")


def test_keys_generated_with_emails_arrive_as_eml_files_and_read_sent(api: Api, maildir: Path) -> None:
    token = new_token("org_invites")
    assessment = api.request("POST", "/v1/assessments", token, SEED_BODY).body["assessment"]
    body = {"count": 2, "candidateEmails": EMAILS, "candidateNames": ["Ada", "Alan"], "orgName": "Acme"}
    generated = api.request("POST", f"/v1/assessments/{assessment['id']}/keys", token, body)
    assert generated.status == 201

    messages = wait_for_mail(maildir, 2)

    codes = {key["candidateEmail"]: key["key"] for key in generated.body["keys"]}
    assert {message["To"]: message["From"] for message in messages} == dict.fromkeys(EMAILS, LOCAL_SENDER)
    for message in messages:
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        assert text is not None
        assert html is not None
        assert codes[message["To"]] in text.get_content()
        assert codes[message["To"]] in html.get_content()
        assert f"{api.base_url}/v1/sessions" in text.get_content()
        assert "Acme" in message["Subject"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        keys = api.request("GET", f"/v1/assessments/{assessment['id']}/keys", token).body["keys"]
        if {key["invite"]["status"] for key in keys} == {"sent"}:
            break
        time.sleep(0.05)
    assert {key["invite"]["status"] for key in keys} == {"sent"}

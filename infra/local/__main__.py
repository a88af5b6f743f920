"""``make dev``: serve the API on http://127.0.0.1:3000 with a local DynamoDB and print a token.

PORT and HOST move it; AWS_ENDPOINT_URL_DYNAMODB points it at a real DynamoDB endpoint;
PROMPTSTER_LOCAL_TOKENS="psk_live_…=org_a,psk_live_…=org_b" seeds exactly those tokens;
PROMPTSTER_CORS_ORIGINS="http://localhost:5173" lets those browser origins call it;
PROMPTSTER_LOCAL_MAILDIR moves the folder invitation emails are written to (``.local/mail``);
PROMPTSTER_LOCAL_REMINDER_SECONDS sets how often the reminder job runs (30 s);
PROMPTSTER_ASHBY_API_URL points Ashby's assessment.update at a receiver (http://127.0.0.1:… is allowed here)."""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from types import FrameType

from infra.local.demo import seed_demo
from infra.local.embedded_dynamodb import ENDPOINT_VARIABLE, local_dynamodb
from infra.local.gateway import LocalGateway
from infra.local.mail import maildir
from infra.local.reminders import PERIOD_VARIABLE as REMINDER_PERIOD_VARIABLE
from infra.local.reminders import local_reminders, reminder_period
from infra.local.secrets import local_secrets_key
from infra.local.server import LocalServer
from infra.local.stream import local_events
from infra.local.webhooks import LOCAL_RETRY_DELAYS_SECONDS
from infra.tokens import operator_audit
from shared import cors
from shared.auth import API_TOKEN_SHAPE, is_api_token
from shared.domain.tokens import issue_token, seed_token
from shared.errors import ConflictError
from shared.settings import DEFAULT_TABLE_NAME
from shared.store.tokens import TokenStore

DEFAULT_ORG = "org_local"


def _parse_seed(text: str) -> list[tuple[str, str]]:
    pairs = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        token, separator, org_id = (part.strip() for part in entry.partition("="))
        if not separator or not token or not org_id:
            raise SystemExit(f"error: PROMPTSTER_LOCAL_TOKENS entry {entry!r} is not token=orgId")
        if not is_api_token(token):
            raise SystemExit(f"error: PROMPTSTER_LOCAL_TOKENS token for {org_id} is not {API_TOKEN_SHAPE}")
        pairs.append((token, org_id))
    return pairs


def _print_sample_report(base: str, local_token: str | None) -> None:
    """Where a report can be opened: a demo session seeded for DEFAULT_ORG in the embedded table (an
    external table is left as it is), shown with a share link, and to DEFAULT_ORG's token if minted."""
    if os.environ.get(ENDPOINT_VARIABLE):
        print(f"Reports: curl -s {base}/v1/sessions/<session id>/report -H 'Authorization: Bearer …' -o report.html")
        return
    demo = seed_demo(DEFAULT_ORG, base, operator_audit(None))
    print(f"Sample report, open it in a browser (a share link, no token): {demo.share_url}")
    if local_token is not None:
        reviewer = f"-H 'Authorization: Bearer {local_token}' -o report.html"
        print(f"  as its reviewer reads it: curl -s {base}/v1/sessions/{demo.session_id}/report {reviewer}")


def _settings() -> tuple[list[tuple[str, str]], tuple[str, ...], float]:
    """The tokens to seed, the browser origins allowed, the reminder job's period: one line exits on an error."""
    seeded = os.environ.get("PROMPTSTER_LOCAL_TOKENS")
    pairs = _parse_seed(seeded) if seeded else []
    try:
        origins = cors.allowed_origins()
    except ValueError as error:
        raise SystemExit(f"error: {cors.ORIGINS_VARIABLE}: {error}") from None
    try:
        period = reminder_period()
    except ValueError as error:
        raise SystemExit(f"error: {REMINDER_PERIOD_VARIABLE}: {error}") from None
    return pairs, origins, period


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "3000"))
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "assessments-api")
    pairs, origins, period = _settings()
    with local_dynamodb(DEFAULT_TABLE_NAME) as where, local_secrets_key():
        try:
            server = LocalServer((host, port), LocalGateway())
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                print(f"error: {host}:{port} is already in use; set PORT to serve elsewhere", file=sys.stderr)
                return 1
            raise
        _stop_on_ctrl_c(server)
        if pairs:
            for token, org_id in pairs:
                try:
                    seed_token(TokenStore(), token, org_id, name="local", audit=operator_audit(None))
                except ConflictError as refused:
                    print(f"error: PROMPTSTER_LOCAL_TOKENS token for {org_id}: {refused.message}", file=sys.stderr)
                    server.server_close()
                    return 1
            tokens = [token for token, _ in pairs]
            print(f"Seeded {len(pairs)} token(s) from PROMPTSTER_LOCAL_TOKENS")
        else:
            tokens = [issue_token(TokenStore(), DEFAULT_ORG, name="local", audit=operator_audit(None)).token]
            print(f"Token for {DEFAULT_ORG}: {tokens[0]}")
        base = f"http://{host}:{port}"
        folder = maildir().resolve()
        print(f"Serving the API on {base} ({where}); Ctrl-C stops it")
        print(f"Invitation emails are written to {folder}, never sent")
        print(
            f"The reminder job runs every {period:g} s (hourly when deployed), without a quiet day after an invitation"
        )
        delays = ", ".join(str(delay) for delay in LOCAL_RETRY_DELAYS_SECONDS)
        print(f"Webhooks are delivered for real (http://127.0.0.1 receivers too), retried after {delays} s")
        if origins:
            print(f"Browsers may call it from {', '.join(origins)}")
        _print_sample_report(base, None if pairs else tokens[0])
        print(f"Try: curl -s {base}/v1/assessments -H 'Authorization: Bearer {tokens[0]}'", flush=True)
        try:
            with local_events(DEFAULT_TABLE_NAME, base, folder), local_reminders(period):
                server.serve_forever(poll_interval=0.1)
            print("\nStopped")
        finally:
            server.server_close()
    return 0


def _stop_on_ctrl_c(server: LocalServer) -> None:
    """Ctrl-C (SIGINT) ends ``serve_forever`` (at once if it has not begun) and the background threads then
    stop in order: an interrupt raised wherever the main thread happened to be could leave a lock the
    pollers share held. Set here, it also holds where the server was started with SIGINT ignored (as a
    shell's background job is), which Python would otherwise keep. A second Ctrl-C interrupts as usual."""

    def stop(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Thread(target=server.shutdown, name="ctrl-c", daemon=True).start()

    signal.signal(signal.SIGINT, stop)


if __name__ == "__main__":
    sys.exit(main())

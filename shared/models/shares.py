"""Share links as the API accepts and returns them: a session's report opened without a credential."""

from typing import Annotated

from pydantic import Field

from shared.models.common import NEXT_CURSOR_DESCRIPTION, WHOLE_NUMBER, ApiModel, RequestModel

DEFAULT_EXPIRES_IN_DAYS = 30
MAX_EXPIRES_IN_DAYS = 90
# 256 random bits, URL-safe base64 without padding: what secrets.token_urlsafe(32) makes.
SHARE_TOKEN_BYTES = 32
SHARE_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # noqa: S105 - the shape of a token, not one
REPORTS_PATH = "/v1/reports/"


class CreateShareRequest(RequestModel):
    """Optional body of `POST /v1/sessions/{id}/share`."""

    expires_in_days: Annotated[int, Field(ge=1, le=MAX_EXPIRES_IN_DAYS), WHOLE_NUMBER] = Field(
        DEFAULT_EXPIRES_IN_DAYS, description="Days until the link stops working: 1 to 90, 30 by default."
    )


class CreatedShare(ApiModel):
    """A new share link: its URL carries the token, shown in this answer only."""

    id: str = Field(description="The link's id: what the list shows and a revocation names.")
    url: str | None = Field(
        description="`<API>/v1/reports/<token>`: anyone holding it reads the session's report until `expiresAt`. "
        "Only the token's SHA-256 is stored, so this answer is the one place it appears; an answer replayed for "
        "the same Idempotency-Key carries null (revoke that link and make another if it was lost).",
        examples=["https://api.example.com/v1/reports/q3b2Yx0LrJm0c9kV8wZc1uQe7HtFz5aN4sDpG6iRb2E"],
    )
    expires_at: str = Field(description="When the link stops working (ISO 8601).")


class Share(ApiModel):
    """A live share link of a session, as the list shows it: never its token."""

    id: str
    session_id: str
    created_at: str
    expires_at: str
    webhook_id: str | None = Field(
        description="The webhook whose delivery carried this link as `reportUrl`, or null for one a reviewer made."
    )


class SharePage(ApiModel):
    shares: list[Share]
    next_cursor: str | None = Field(description=NEXT_CURSOR_DESCRIPTION)

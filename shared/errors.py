"""Domain errors. Each names a machine-readable ``code``; shared.http maps the type to a status."""

from __future__ import annotations

from typing import NamedTuple


class FieldProblem(NamedTuple):
    """One invalid input, located by its JSON path."""

    path: tuple[str | int, ...]
    code: str
    message: str


class DomainError(Exception):
    """Base of every error a caller can cause; never used for faults of our own."""

    code = "error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInputError(DomainError):
    code = "validation_error"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None, code: str | None = None):
        super().__init__(message, code)
        self.problems = problems or []

    @classmethod
    def for_field(
        cls, path: tuple[str | int, ...], code: str, message: str, error_code: str | None = None
    ) -> InvalidInputError:
        """An error about one field, with that field's path in its details; ``error_code``
        replaces the generic top-level code where clients need to tell this case apart."""
        name = ".".join(str(part) for part in path)
        return cls(f"{name}: {message}", [FieldProblem(path, code, message)], code=error_code)


class UnauthorizedError(DomainError):
    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class GoneError(DomainError):
    """What was asked for existed and was deleted (an ATS is told so apart from never having existed)."""

    code = "assessment_gone"  # the one such thing there is


class PreconditionFailedError(DomainError):
    """The resource is no longer the version the request's ``If-Match`` names."""

    code = "precondition_failed"


class RateLimitedError(DomainError):
    """The caller has done this as often as it may for now; ``retry_after_seconds`` says when it may again.
    Its ``code`` names what is limited."""

    def __init__(self, message: str, retry_after_seconds: int, code: str) -> None:
        super().__init__(message, code)
        self.retry_after_seconds = retry_after_seconds


class UnprocessableError(DomainError):
    """Well-formed, but contradicting something the API already holds (an idempotency key's first request)."""

    code = "idempotency_key_reused"  # the one such contradiction there is


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"


class UnavailableError(DomainError):
    """A service the request depends on did not answer in time, or kept refusing for load, after the
    client's own retries; or this deployment lacks a part the request needs. Retrying later may work."""

    code = "unavailable"

    def __init__(self, message: str, retry_after_seconds: int = 1) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds

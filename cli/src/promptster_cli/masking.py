"""Values that look like secrets, masked in captured text before it is spooled: what a candidate pastes
into a prompt or a command must not reach the API in the clear."""

from __future__ import annotations

import re
from typing import Any

# Each pattern keeps what tells a reader what was there (its kind) and masks the secret itself.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S),
        "[masked private key]",
    ),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "[masked AWS access key]"),
    (
        re.compile(r"(?i)\b(aws_secret_access_key\s*[=:]\s*[\"']?)[A-Za-z0-9/+=]{40}\b"),
        r"\1[masked AWS secret key]",
    ),
    (re.compile(r"\bsk-[A-Za-z0-9_-]{16,}"), "[masked API key]"),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b"), "[masked GitHub token]"),
    (re.compile(r"\bgithub_pat_[A-Za-z0-9_]{30,}\b"), "[masked GitHub token]"),
    (re.compile(r"\bpsk_live_[A-Za-z0-9]{8,}\b"), "[masked Promptster token]"),
    (re.compile(r"\bPST-[A-Z0-9]{4}-[A-Z0-9]{4}\b"), "[masked Promptster key]"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/-]{8,}=*"), r"\1[masked token]"),
)


def mask(text: str) -> str:
    """``text`` with every value that looks like a secret replaced by a label naming its kind."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def mask_all(value: Any) -> Any:
    """``value`` (JSON: objects, arrays, strings…) with every string masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_all(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [mask_all(inner) for inner in value]
    return value

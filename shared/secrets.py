"""Secrets kept in the table (an ATS's credentials, the report links made for an ATS) are encrypted with
KMS under the stack's secrets key, each bound to what it belongs to by an encryption context, and stored
as base64 text. They are decrypted only by the functions that send them on, and never logged."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from shared import outages, settings
from shared.errors import UnavailableError

if TYPE_CHECKING:
    from mypy_boto3_kms.client import KMSClient


@cache
def client() -> KMSClient:
    """Built on first use (tests start moto before it); standard mode retries throttles with backoff."""
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return boto3.client("kms", config=config)


def _key() -> str:
    key = settings.secrets_key()
    if key is None:
        raise UnavailableError(f"Secrets are not configured here ({settings.SECRETS_KEY_VARIABLE} is not set)")
    return key


class KmsSecrets:
    """Encrypts and decrypts under the key the environment names."""

    def encrypt(self, plaintext: str, context: Mapping[str, str]) -> str:
        """The ciphertext of ``plaintext``, bound to ``context`` (decrypting needs the same context)."""
        answer = outages.unavailable(
            "KMS",
            lambda: client().encrypt(KeyId=_key(), Plaintext=plaintext.encode(), EncryptionContext=dict(context)),
        )
        return base64.b64encode(answer["CiphertextBlob"]).decode("ascii")

    def decrypt(self, ciphertext: str, context: Mapping[str, str]) -> str:
        """The plaintext ``encrypt`` was given with ``context``."""
        answer = outages.unavailable(
            "KMS",
            lambda: client().decrypt(
                KeyId=_key(), CiphertextBlob=base64.b64decode(ciphertext), EncryptionContext=dict(context)
            ),
        )
        plaintext: bytes = answer["Plaintext"]
        return plaintext.decode()

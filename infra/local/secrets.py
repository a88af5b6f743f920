"""The secrets key in the local server: a KMS key of the embedded moto, named to the functions as the stack
names its own, so an ATS's credentials are kept encrypted locally too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from shared import secrets
from shared.settings import SECRETS_KEY_VARIABLE


@contextmanager
def local_secrets_key() -> Iterator[str]:
    """A new key in the embedded moto (it must be running), the functions' secrets key while the block runs."""
    secrets.client.cache_clear()  # a client made before this moto started would not reach it
    key_id = secrets.client().create_key(Description="Promptster local secrets")["KeyMetadata"]["KeyId"]
    saved = os.environ.get(SECRETS_KEY_VARIABLE)
    os.environ[SECRETS_KEY_VARIABLE] = key_id
    try:
        yield key_id
    finally:
        if saved is None:
            os.environ.pop(SECRETS_KEY_VARIABLE, None)
        else:
            os.environ[SECRETS_KEY_VARIABLE] = saved
        secrets.client.cache_clear()

"""Mail for local runs: every message becomes an ``.eml`` file in a folder, never a delivery."""

from __future__ import annotations

import itertools
import os
from email.message import EmailMessage
from pathlib import Path

from shared import clock
from shared.mail import Message

MAILDIR_VARIABLE = "PROMPTSTER_LOCAL_MAILDIR"
DEFAULT_MAILDIR = Path(".local/mail")


def maildir() -> Path:
    """Where local mail goes: PROMPTSTER_LOCAL_MAILDIR, else ``.local/mail`` under the working directory."""
    return Path(os.environ.get(MAILDIR_VARIABLE) or DEFAULT_MAILDIR)


class FolderMailer:
    """Writes each message as a MIME file (plain text and HTML alternatives) any mail client opens."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    def send(self, message: Message) -> None:
        mime = EmailMessage()
        mime["From"] = message.sender
        mime["To"] = message.recipient
        mime["Subject"] = message.subject
        mime.set_content(message.text)
        mime.add_alternative(message.html, subtype="html")
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.utc_now().strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{os.getpid()}-{next(self._numbers):04d}.eml"
        # Written aside and renamed: a reader never sees half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(mime))
        partial.replace(path)

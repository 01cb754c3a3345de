"""Email backends for tests only: a mail server that is down, one that holds the first message
until the test lets it go, and one that writes a line per message to a file, so a test can count
what a worker in another process sent."""

import os
import threading

from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend

MAIL_FILE_ENV = "TEST_MAIL_FILE"


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


class Gate:
    """Holds the first message sent until the test opens it."""

    def __init__(self):
        self.reached, self.opened = threading.Event(), threading.Event()
        self._lock, self._used = threading.Lock(), False

    def hold_first(self) -> None:
        with self._lock:
            first, self._used = not self._used, True
        if first:
            self.reached.set()
            self.opened.wait(timeout=60)


GATE = Gate()


class GateBackend(locmem.EmailBackend):
    """The test outbox, except that the first message waits at ``GATE``."""

    def send_messages(self, messages):
        GATE.hold_first()
        return super().send_messages(messages)


class LineFileBackend(BaseEmailBackend):
    """Appends ``<Message-ID> <to>`` per message to the file named by ``TEST_MAIL_FILE``."""

    def send_messages(self, messages):
        with open(os.environ[MAIL_FILE_ENV], "a", encoding="utf-8") as lines:
            for message in messages:
                lines.write(f"{message.extra_headers['Message-ID']} {','.join(message.to)}\n")
        return len(messages)

"""A file mail backend that takes its time per message (REMINDER_TEST_MAIL_DELAY seconds), so
that the broker fault test can take Redis away while a delivery is under way."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("REMINDER_TEST_MAIL_DELAY", "0.2")) * len(email_messages))
        return super().send_messages(email_messages)

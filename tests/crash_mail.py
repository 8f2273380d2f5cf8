"""A mail backend that makes the deliverer die while sending the k-th message: the locmem
backend (messages land in django.core.mail.outbox) plus a planned crash.

`plan.arm(at=k, raising=SystemExit, after_send=False)` raises `SystemExit` when the k-th
message is handed over, before it reaches the outbox; with `after_send=True` the message is
in the outbox first — the mail server accepted it and the process died before recording that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


@dataclass
class CrashPlan:
    at: int = 0  # 0: never crash
    raising: type[BaseException] = SystemExit
    after_send: bool = False
    handed_over: int = 0

    def arm(self, *, at: int, raising: type[BaseException], after_send: bool = False) -> None:
        self.at, self.raising, self.after_send, self.handed_over = at, raising, after_send, 0

    def disarm(self) -> None:
        self.at = 0


plan = CrashPlan()


class EmailBackend(LocmemBackend):
    def send_messages(self, messages):
        for message in messages:
            plan.handed_over += 1
            crash = plan.at and plan.handed_over == plan.at
            if crash and not plan.after_send:
                raise plan.raising(f"deliverer died while sending message {plan.at}")
            super().send_messages([message])
            if crash:
                raise plan.raising(f"deliverer died after sending message {plan.at}")
        return len(messages)

"""Delivering claimed reminders: in-app inbox and e-mail, each at most once.

Reserve, then claim each send
    A deliverer reserves a batch of due `pending` rows with one conditional UPDATE that stamps
    them with its lease token and a lease (`REMINDERS_LEASE_SECONDS`); rows stay `pending`, and
    no other deliverer takes them while the lease runs. Inbox messages for the whole batch are
    inserted at once with ON CONFLICT on the reminder, so a retried row never makes a second
    one. Then, one e-mail at a time: mark the row `sending` (a conditional UPDATE that needs it
    still `pending` and still ours, and renews its lease), hand it to the mail backend, mark it
    `sent`. A send the backend refuses goes back to `pending` with an exponential backoff and is
    never marked sent; after the last attempt it is `failed`.

The guarantee if the deliverer dies (an exception, SystemExit, a killed worker)
    Mark-before-send. Rows of the batch not yet tried are still `pending` under the dead
    batch's lease: once it expires they are reserved again and sent, each once. The one row
    that was `sending` when the deliverer died may or may not have reached the mail server —
    the window is from its `sending` mark to its `sent` mark, the send itself. It is never
    re-sent automatically (a duplicate is what this machinery exists to prevent): once its lease
    expires it is marked `failed` with that explanation, and staff decide whether to resend it
    (`services.reminder_resend`). So each e-mail goes out at most once by itself, and at most
    one e-mail per crash needs a person to look at it. A batch slower than its lease loses its
    untried rows to the next deliverer, never a row twice: the `sending` mark needs our token.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import InboxMessage, Reminder, ReminderStatus

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt after `attempts` failures: 1, 2, 4, … minutes, capped."""
    base = _setting("REMINDERS_RETRY_BASE_SECONDS", 60)
    cap = _setting("REMINDERS_RETRY_MAX_SECONDS", 6 * 3600)
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass
class DeliveryResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    sent_ids: list[int] = field(default_factory=list)

    def add(self, other: DeliveryResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.sent_ids += other.sent_ids


def expire_abandoned(wall_now: dt.datetime | None = None) -> int:
    """Rows a dead deliverer left `sending` (lease expired): mark failed, never re-send blindly.
    The lease token stays, so a deliverer that was only slow can still record its send."""
    wall_now = wall_now or timezone.now()
    return Reminder.objects.filter(status=ReminderStatus.SENDING, lease_until__lt=wall_now).update(
        status=ReminderStatus.FAILED,
        last_error=_("发送过程中断，无法确认邮件是否已发出；为避免重复发送未自动重发，请人工核实"),
    )


def deliver_batch(
    *, now: dt.datetime | None = None, batch_size: int | None = None
) -> DeliveryResult:
    """Deliver up to `batch_size` pending reminders that are due for an attempt at `now`."""
    now = now or timezone.now()
    batch_size = batch_size or _setting("REMINDERS_DELIVERY_BATCH", 500)
    token = uuid.uuid4()
    wall_now = timezone.now()
    candidates = Reminder.objects.deliverable(now, wall_now=wall_now).order_by(
        "next_attempt_at", "pk"
    )
    # The outer filter repeats the conditions: a row another deliverer reserved meanwhile is
    # re-checked after its lock is released and left alone.
    reserved = (
        Reminder.objects.deliverable(now, wall_now=wall_now)
        .filter(pk__in=candidates.values("pk")[:batch_size])
        .update(lease_token=token, lease_until=wall_now + _lease())
    )
    result = DeliveryResult()
    if not reserved:
        return result
    _deliver_inbox(token)
    rows = list(
        Reminder.objects.filter(lease_token=token, status=ReminderStatus.PENDING)
        .order_by("pk")
        .values(
            "pk",
            "kind",
            "object_type",
            "object_id",
            "recipient_key",
            "due_on",
            "step",
            "email",
            "subject",
            "body",
            "attempts",
        )
    )
    inbox_only = [r["pk"] for r in rows if not r["email"]]
    if inbox_only:
        _mark_sent(token, inbox_only, result)
    to_mail = [r for r in rows if r["email"]]
    if not to_mail:
        return result
    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except Exception as exc:  # the mail server is down: every message waits for a retry
        logger.warning("reminders: mail backend unavailable: %s", exc)
        for row in to_mail:
            _mark_failed_attempt(token, row, exc, now, result)
        return result
    try:
        for row in to_mail:
            if not _mark_sending(token, row["pk"]):
                continue  # cancelled, or taken by the next deliverer after our lease ran out
            try:
                accepted = mail.send_messages([_message(row)])
                if accepted != 1:
                    raise RuntimeError(_("邮件服务器未接受该邮件"))
            except Exception as exc:
                logger.warning("reminders: sending %s failed: %s", row["pk"], exc)
                _mark_failed_attempt(token, row, exc, now, result)
            else:
                _mark_sent(token, [row["pk"]], result)
    finally:
        try:
            mail.close()
        except Exception:  # closing a broken connection must not hide what was sent
            logger.warning("reminders: closing the mail connection failed", exc_info=True)
    return result


def deliver_all(*, now: dt.datetime | None = None, batch_size: int | None = None) -> DeliveryResult:
    """Deliver batches until nothing is left that is due for an attempt at `now`."""
    expire_abandoned()
    total = DeliveryResult()
    while True:
        result = deliver_batch(now=now, batch_size=batch_size)
        total.add(result)
        if result.sent + result.retrying + result.failed == 0:
            return total


def reminder_key(row: dict) -> str:
    return ":".join(
        str(row[k]) for k in ("kind", "object_type", "object_id", "recipient_key", "due_on", "step")
    )


def _message(row: dict) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return EmailMessage(
        subject=row["subject"],
        body=row["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row["email"]],
        headers={
            # Stable per reminder, so even a mail client sees a resend as the same message.
            "Message-ID": f"<reminder-{row['pk']}@{domain}>",
            "X-Reminder-Key": reminder_key(row),
        },
    )


def _deliver_inbox(token: uuid.UUID) -> None:
    """One INSERT … SELECT: an inbox message per claimed reminder addressed to a user."""
    inbox = connection.ops.quote_name(InboxMessage._meta.db_table)
    reminders = connection.ops.quote_name(Reminder._meta.db_table)
    token_value = Reminder._meta.get_field("lease_token").get_db_prep_value(
        token, connection, prepared=False
    )
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        f"INSERT INTO {inbox} (user_id, reminder_id, suggestion_id, subject, body, created_at, "
        f"read_at) SELECT recipient_user_id, id, suggestion_id, subject, body, %s, NULL "
        f"FROM {reminders} WHERE lease_token = %s AND recipient_user_id IS NOT NULL "
        f"ON CONFLICT (reminder_id) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [stamp, token_value])


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=_setting("REMINDERS_LEASE_SECONDS", 900))


def _mark_sending(token: uuid.UUID, pk: int) -> bool:
    """Claim one send (mark-before-send); False if the row is no longer ours to send."""
    return bool(
        Reminder.objects.filter(pk=pk, lease_token=token, status=ReminderStatus.PENDING).update(
            status=ReminderStatus.SENDING, lease_until=timezone.now() + _lease()
        )
    )


def _mark_sent(token: uuid.UUID, ids: list[int], result: DeliveryResult) -> None:
    done = Reminder.objects.filter(pk__in=ids, lease_token=token).update(
        status=ReminderStatus.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        lease_token=None,
        lease_until=None,
        last_error="",
    )
    result.sent += done
    if done:
        result.sent_ids += ids


def _mark_failed_attempt(token, row: dict, exc: Exception, now, result: DeliveryResult) -> None:
    attempts = row["attempts"] + 1
    final = attempts >= _setting("REMINDERS_MAX_ATTEMPTS", 8)
    Reminder.objects.filter(pk=row["pk"], lease_token=token).update(
        status=ReminderStatus.FAILED if final else ReminderStatus.PENDING,
        attempts=attempts,
        next_attempt_at=now + backoff(attempts),
        lease_token=None,
        lease_until=None,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
    )
    if final:
        result.failed += 1
    else:
        result.retrying += 1

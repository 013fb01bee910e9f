"""Writing, sending, sweeping and resolving the messages of the outbox.

A message is written in the transaction of what it is about (:func:`enqueue_email`) and handed
to the worker when that transaction commits. Every change of state afterwards is one
conditional UPDATE (exactly-once claiming, as for jobs): :func:`deliver` claims a queued, due
message (``sending``, ``attempts`` + 1) and only that attempt records how it ended; whoever
loses the race sends nothing. Outcomes:

- accepted by the server: ``sent``;
- temporary failure (4xx, connection refused, timeout before the data): ``queued`` again with
  an exponential delay, ``failed`` after :data:`MAX_ATTEMPTS`;
- permanent failure (5xx): ``failed``, with the server's reply in ``last_error``;
- connection lost after the message was handed over: ``unknown``, for a person to check
  (:func:`resolve_unknown`); nothing ever resends it alone.

The sweeper (:func:`sweep_outbox`, every minute) hands overdue queued messages to the worker
again (a task lost with a dead worker or a broker that was down) and marks ``unknown`` the
messages stuck in ``sending`` past the bounded SMTP conversation (their worker died mid-send).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from firms.emails import address_header, sender
from firms.models import Firm, User
from firms.tenancy import current_firm_id, firm_scope
from outbox import backends
from outbox.dispatch import Delivery, dispatch_on_commit
from outbox.models import OutboxAttachment, OutboxEvent, OutboxMessage
from outbox.signals import message_state_changed

logger = logging.getLogger(__name__)

State = OutboxMessage.State

# Attempts of one message before a temporary failure becomes final.
MAX_ATTEMPTS = 8
# Delay after the n-th failed attempt: 1, 3, 9, 27, 81 minutes, then about 4 and 6 hours.
RETRY_FIRST_DELAY = timedelta(minutes=1)
RETRY_FACTOR = 3
RETRY_LONGEST_DELAY = timedelta(hours=6)
# A retry further away than this is not published with a countdown (a broker holds such tasks
# badly); the sweeper hands the message over when it is due.
LONGEST_COUNTDOWN = timedelta(hours=1)
# A queued message due this long ago was not picked up: its task was lost. Handed over again,
# then again after as long as it has waited since it was written, up to REDISPATCH_LONGEST
# (a message only waiting its turn behind a long queue gets a few copies, not one a minute).
REDISPATCH_AFTER = timedelta(minutes=2)
REDISPATCH_LONGEST = timedelta(minutes=15)
# Added to the longest SMTP conversation before a message still sending is taken for stuck.
STUCK_MARGIN = timedelta(minutes=2)
SWEEP_BATCH = 500

STUCK_SENDING = (
    "L'envoi s'est interrompu (arrêt du processus d'envoi) : le message a peut-être été "
    "remis. Vérifiez auprès du destinataire, puis marquez-le envoyé ou remettez-le en file."
)


class Attachment(NamedTuple):
    """A file to send with a message (Django's attach() takes the same three values)."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


# Writing ------------------------------------------------------------------------------------


def enqueue_email(
    *,
    firm: Firm,
    kind: str,
    to: str | Iterable[str],
    subject: str,
    text_body: str,
    html_body: str,
    attachments: Iterable[Attachment | tuple] = (),
    related: models.Model | tuple[str, object] | None = None,
    created_by: User | None = None,
) -> OutboxMessage:
    """Write one message in the caller's transaction; the worker gets it when that transaction
    commits (a broker that is down delays it, never the caller). From and Reply-To are the
    firm's (firms.emails); the subject is one line of plain text; the attachments' bytes are
    stored now. ``related`` is the object the message is about (a model instance, or a
    ``(type, id)`` pair) for :func:`outbox.selectors.messages_about`."""
    recipients = _recipients(to)
    related_type, related_id = _reference(related)
    files = [Attachment(*attachment) for attachment in attachments]
    with firm_scope(firm), transaction.atomic():
        message = OutboxMessage.objects.create(
            firm=firm,
            kind=kind,
            from_email=sender(firm),
            reply_to=[address_header(firm.email_reply_to)] if firm.email_reply_to else [],
            to=recipients,
            subject=" ".join(subject.split()),
            text_body=text_body,
            html_body=html_body,
            message_id=new_message_id(),
            related_type=related_type,
            related_id=related_id,
            created_by=created_by,
        )
        for file in files:
            attachment = OutboxAttachment(
                firm=firm,
                message=message,
                filename=file.filename,
                mimetype=file.mimetype,
                size=len(file.content),
            )
            attachment.file.save(file.filename, ContentFile(file.content), save=False)
            attachment.save()
        _record(message, None)
        dispatch_on_commit(Delivery(message.pk, firm.pk))
    return message


def new_message_id() -> str:
    """A Message-ID of the sender's domain, unique, kept for every attempt."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def _recipients(to: str | Iterable[str]) -> list[str]:
    addresses = [to] if isinstance(to, str) else list(to)
    cleaned = [address.strip() for address in addresses if address and address.strip()]
    if not cleaned:
        raise ValidationError(_("Aucun destinataire pour cet e-mail."))
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("Adresse e-mail invalide : %(address)s."), params={"address": address}
            ) from None
    return list(dict.fromkeys(cleaned))


def _reference(related: models.Model | tuple[str, object] | None) -> tuple[str, str]:
    if related is None:
        return "", ""
    if isinstance(related, models.Model):
        return related._meta.label_lower, str(related.pk)
    related_type, related_id = related
    return str(related_type), str(related_id)


# Sending ------------------------------------------------------------------------------------


def build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    """The e-mail of a message: plain text, its HTML alternative, its files, its Message-ID.
    Reads the attachments: call inside the message's firm scope."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=message.from_email,
        to=[address_header(address) for address in message.to],
        reply_to=message.reply_to,
        headers={"Message-ID": message.message_id},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as file:
            email.attach(attachment.filename, file.read(), attachment.mimetype)
    return email


def deliver(
    message_id: int, *, firm_id: int | None = None, now: datetime | None = None
) -> str | None:
    """Send one message if it is queued and due, and record how it went; returns its state
    (None for a message that does not exist). A message that another call is sending, or that
    is not due, is left alone: a duplicate task or a second call sends nothing.

    ``firm_id`` is the message's firm (the task passes it); without it, the current firm scope,
    else the firm is looked up (one query per firm)."""
    firm_id = firm_id or current_firm_id() or _firm_of_message(message_id)
    if firm_id is None:
        return None
    now = now or timezone.now()
    with firm_scope(firm_id):
        messages = OutboxMessage.objects.for_firm(firm_id)
        claimed = messages.filter(
            pk=message_id, state=State.QUEUED, next_attempt_at__lte=now
        ).update(state=State.SENDING, attempts=F("attempts") + 1, claimed_at=now)
        message = messages.filter(pk=message_id).first()
        if message is None:
            return None
        if not claimed:
            return message.state
        _record(message, State.QUEUED)
    try:
        with firm_scope(firm_id):
            email = build_email(message)
        email.message()  # a message that cannot be built is not a sending failure
    except Exception as error:
        logger.exception("outbox message %s of firm %s could not be built", message.pk, firm_id)
        return _failed(
            message, _("Le message n'a pas pu être préparé : %(error)s") % {"error": error}
        )
    connection = get_connection()
    try:
        sent = connection.send_messages([email])
    except backends.TransmissionError as failure:
        return _after_failure(message, failure, now=now)
    except (smtplib.SMTPException, OSError) as error:
        # Another backend (Django's own SMTP one, a file…): an explicit refusal is classified,
        # a lost connection may have come after the message was handed over.
        logger.warning("outbox message %s: %r", message.pk, error)
        return _after_failure(message, backends.classify(error, data_sent=True), now=now)
    except Exception as error:
        logger.exception("outbox message %s: unexpected error while sending", message.pk)
        reason = _(
            "Erreur inattendue pendant l'envoi (%(error)s) : le message a peut-être été remis, "
            "à vérifier."
        ) % {"error": type(error).__name__}
        return _after_failure(message, backends.UnknownOutcome(reason), now=now)
    if not sent:
        return _failed(message, _("Aucun destinataire pour cet e-mail."))
    refused = getattr(connection, "refused_recipients", {})
    note = ""
    if refused:
        note = _("Envoyé, mais refusé pour : %(refusals)s.") % {
            "refusals": " ; ".join(f"{address} ({reply})" for address, reply in refused.items())
        }
    return _sent(message, note)


def deliver_pending(
    *, firm: Firm | None = None, ids: Iterable[int] | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Send the queued, due messages (of one firm, or of them all; only ``ids`` if given) here
    and now, without a worker, with the same claims as the worker (the two never send one
    message twice). Returns how many ended in each state."""
    now = now or timezone.now()
    firm_ids = [firm.pk] if firm else list(Firm.objects.order_by("pk").values_list("pk", flat=True))
    wanted = None if ids is None else list(ids)
    results: Counter[str] = Counter()
    for firm_id in firm_ids:
        with firm_scope(firm_id):
            due = OutboxMessage.objects.for_firm(firm_id).filter(
                state=State.QUEUED, next_attempt_at__lte=now
            )
            if wanted is not None:
                due = due.filter(pk__in=wanted)
            pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
        for pk in pks:
            state = deliver(pk, firm_id=firm_id, now=now)
            if state:
                results[state] += 1
    return dict(results)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts."""
    delay = RETRY_FIRST_DELAY * RETRY_FACTOR ** max(attempts - 1, 0)
    return min(delay, RETRY_LONGEST_DELAY)


def stuck_after(*, margin: timedelta = STUCK_MARGIN) -> timedelta:
    """How long a message may stay in ``sending`` before its sender is taken for dead."""
    return timedelta(seconds=backends.conversation_limit()) + margin


def _after_failure(message: OutboxMessage, failure: backends.TransmissionError, *, now):
    if isinstance(failure, backends.UnknownOutcome):
        return _settle(message, State.UNKNOWN, last_error=failure.reason)
    if isinstance(failure, backends.PermanentFailure):
        return _failed(message, failure.reason)
    if message.attempts >= MAX_ATTEMPTS:
        return _failed(
            message,
            failure.reason
            + " "
            + _("Abandon après %(attempts)d tentatives.") % {"attempts": message.attempts},
        )
    next_attempt_at = now + retry_delay(message.attempts)
    with firm_scope(message.firm_id):
        state = _settle(
            message, State.QUEUED, last_error=failure.reason, next_attempt_at=next_attempt_at
        )
        if state == State.QUEUED:
            countdown = next_attempt_at - timezone.now()
            if countdown <= LONGEST_COUNTDOWN:
                seconds = max(countdown.total_seconds(), 0)
                dispatch_on_commit(Delivery(message.pk, message.firm_id, countdown=seconds))
    return state


def _failed(message: OutboxMessage, reason: str) -> str:
    return _settle(message, State.FAILED, last_error=reason)


def _sent(message: OutboxMessage, note: str) -> str:
    fields = {"sent_at": timezone.now(), "last_error": note}
    state = _settle(message, State.SENT, **fields)
    if state == State.UNKNOWN:
        # The sweeper took this attempt for dead meanwhile; the server's answer settles it.
        state = _settle(message, State.SENT, from_state=State.UNKNOWN, **fields)
    return state


def _settle(message: OutboxMessage, state: str, *, from_state: str = State.SENDING, **fields):
    """End the attempt ``message.attempts`` if it is still in ``from_state``; returns the
    message's state afterwards."""
    with firm_scope(message.firm_id):
        messages = OutboxMessage.objects.for_firm(message.firm_id)
        done = messages.filter(pk=message.pk, attempts=message.attempts, state=from_state).update(
            state=state, **fields
        )
        message.refresh_from_db()
        if done:
            _record(message, from_state)
    return message.state


def _firm_of_message(message_id: int) -> int | None:
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        with firm_scope(firm_id):
            if OutboxMessage.objects.for_firm(firm_id).filter(pk=message_id).exists():
                return firm_id
    return None


# Sweeping and resolving ---------------------------------------------------------------------


@dataclass
class Sweep:
    redispatched: int = 0
    unknown: int = 0


def sweep_outbox(
    *,
    now: datetime | None = None,
    redispatch_after: timedelta = REDISPATCH_AFTER,
    redispatch_longest: timedelta = REDISPATCH_LONGEST,
    stuck_margin: timedelta = STUCK_MARGIN,
) -> Sweep:
    """Hand again to the worker the queued messages due for a while (their task was lost, or
    never published while the broker was down): ``redispatch_after`` after they were due or
    last handed over, then after as long as they have waited, up to ``redispatch_longest``;
    mark ``unknown`` the messages sending for longer than an SMTP conversation may last (plus
    ``stuck_margin``). The fault suite passes short delays."""
    now = now or timezone.now()
    sending_limit = stuck_after(margin=stuck_margin)
    sweep = Sweep()
    for firm_id in Firm.objects.order_by("pk").values_list("pk", flat=True):
        with firm_scope(firm_id):
            messages = OutboxMessage.objects.for_firm(firm_id)
            overdue = list(
                messages.filter(state=State.QUEUED, next_attempt_at__lte=now - redispatch_after)
                .order_by("next_attempt_at")
                .values_list("pk", "next_attempt_at", "created_at")[:SWEEP_BATCH]
            )
            longest = max(redispatch_longest, redispatch_after)
            for pk, due, created_at in overdue:
                wait = max(redispatch_after, min(longest, due - created_at))
                if now - due < wait:
                    continue
                if messages.filter(pk=pk, state=State.QUEUED, next_attempt_at=due).update(
                    next_attempt_at=now
                ):
                    dispatch_on_commit(Delivery(pk, firm_id))
                    sweep.redispatched += 1
            stuck = list(
                messages.filter(state=State.SENDING, claimed_at__lt=now - sending_limit)[
                    :SWEEP_BATCH
                ]
            )
        for message in stuck:
            if _settle(message, State.UNKNOWN, last_error=STUCK_SENDING) == State.UNKNOWN:
                logger.warning(
                    "outbox message %s of firm %s stuck sending since %s: unknown",
                    message.pk,
                    firm_id,
                    message.claimed_at,
                )
                sweep.unknown += 1
    return sweep


def resolve_unknown(message: OutboxMessage, user: User, delivered: bool) -> bool:
    """A person's decision on an uncertain message: it was delivered (``sent``), or it was not
    and goes back in the queue to be sent again. Recorded with who decided. False when the
    message is not uncertain any more (decided meanwhile)."""
    now = timezone.now()
    with firm_scope(message.firm_id), transaction.atomic():
        messages = OutboxMessage.objects.for_firm(message.firm_id).filter(
            pk=message.pk, state=State.UNKNOWN
        )
        if delivered:
            done = messages.update(state=State.SENT, sent_at=Coalesce("claimed_at", now))
            detail = _("Remise confirmée par %(user)s.") % {"user": user}
        else:
            done = messages.update(state=State.QUEUED, next_attempt_at=now)
            detail = _("Remis en file d'envoi par %(user)s.") % {"user": user}
        if not done:
            return False
        message.refresh_from_db()
        _record(message, State.UNKNOWN, detail=detail, by=user)
        if not delivered:
            dispatch_on_commit(Delivery(message.pk, message.firm_id))
    logger.info(
        "outbox message %s resolved by user %s (delivered=%s)", message.pk, user.pk, delivered
    )
    return True


# History ------------------------------------------------------------------------------------


def _record(
    message: OutboxMessage, previous_state: str | None, *, detail: str = "", by: User | None = None
) -> None:
    """The history row of a change of state, then the signal, in the current transaction. A
    receiver that fails is logged and its writes undone; the change itself stands."""
    OutboxEvent.objects.create(
        firm_id=message.firm_id,
        message=message,
        previous_state=previous_state or "",
        state=message.state,
        attempt=message.attempts,
        detail=detail or (message.last_error if message.state != State.SENDING else ""),
        by=by,
    )
    try:
        with transaction.atomic():
            message_state_changed.send(
                sender=OutboxMessage, message=message, previous_state=previous_state
            )
    except Exception:
        logger.exception("a receiver of message_state_changed failed for message %s", message.pk)

"""Changes to a client's fiscal questionnaire. Each service owns its transaction: the answers,
the obligations derived from them and the client's history change together or not at all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from clients import history
from clients.concurrency import EditConflict, FieldConflict, edited_fields
from clients.models import Client, HistoryEntry
from firms.models import Firm, User
from fiscal_questionnaire.answer_formats import shown_answer
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import (
    QUESTIONNAIRE_VERSION,
    QUESTIONS_BY_CODE,
    ensure_valid_answers,
    validate_answers,
    visible_answers,
)
from fiscal_questionnaire.rules import derive_obligations
from fiscal_questionnaire.signals import obligations_changed

HISTORY_SUBJECT = "answers"
DATE_FIELDS = (
    "receive_from",
    "issue_from",
    "e_reporting_transactions_from",
    "e_reporting_payments_from",
)
TEXT_FIELDS = ("size_category", "e_reporting_frequency")
BOOLEAN_FIELDS = (
    "in_scope",
    "must_receive",
    "must_issue",
    "e_reporting_transactions",
    "e_reporting_payments",
    "chorus_pro",
)


def save_answers(
    *,
    firm: Firm,
    client: Client,
    values: Mapping[str, object],
    by: User | None,
    loaded: Mapping[str, object] | None = None,
) -> Obligations | None:
    """Save several answers given as JSON values ({code: value}; ``None`` removes one).

    Validated with the catalogue's rules and messages (``InvalidAnswers``); the answers that did
    not change are left as they are (their author, date and version too). When something
    changed, the obligations are derived again from all the client's answers and one history
    entry lists every change (with the same person's answers of the last minutes, see
    ``clients.history.record``), all in one transaction.

    ``loaded`` holds, for codes of ``values``, the answers the person's form was loaded with
    (``None``: unanswered; a code missing from it is not checked). An answer they did not
    change from it is not written; if someone else changed one they did change, to another
    value, nothing is written and ``clients.concurrency.EditConflict`` says which, with both
    values.
    """
    ensure_valid_answers(values)
    now = timezone.now()
    with transaction.atomic():
        stored = _lock_answers(firm, client)
        current = {code: answer.value for code, answer in stored.items()}
        write, conflicting = edited_fields(loaded=loaded, current=current, yours=values)
        if conflicting:
            raise EditConflict(
                [
                    _conflict(firm, client, code, current.get(code), values[code])
                    for code in conflicting
                ],
                changed=[*write, *conflicting],
            )
        values = {code: values[code] for code in write}
        changes: dict[str, dict[str, str]] = {}
        for code, value in values.items():
            current = stored.get(code)
            before = None if current is None else current.value
            if before == value:
                continue
            changes[code] = _change(code, before, value)
            if value is None:
                current.delete()
                del stored[code]
            elif current is None:
                stored[code] = Answer.objects.create(
                    firm=firm,
                    client=client,
                    code=code,
                    value=value,
                    questionnaire_version=QUESTIONNAIRE_VERSION,
                    answered_by=by,
                    answered_at=now,
                )
            else:
                current.value = value
                _mark_answered(current, by, now)
        if not changes:
            return _stored_obligations(firm, client)
        obligations = _store_obligations(firm, client, stored, now)
        # One summary for every save: a person's answers in a row are grouped in one entry,
        # which lists them all.
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary="Questionnaire fiscal mis à jour",
            changes=changes,
        )
    return obligations


def confirm_answers(
    *, firm: Firm, client: Client, codes: Iterable[str], by: User | None
) -> Obligations | None:
    """Confirm answers given under an older questionnaire version: same value, current version.

    This is how a client leaves the "à revoir" list without changing an answer that still holds.
    Codes without an outdated answer are ignored.
    """
    now = timezone.now()
    with transaction.atomic():
        stored = _lock_answers(firm, client)
        confirmed = [
            stored[code]
            for code in dict.fromkeys(codes)
            if code in stored and stored[code].is_outdated
        ]
        if not confirmed:
            return _stored_obligations(firm, client)
        for answer in confirmed:
            _mark_answered(answer, by, now)
        obligations = _store_obligations(firm, client, stored, now)
        labels = ", ".join(QUESTIONS_BY_CODE[answer.code].label for answer in confirmed)
        history.record(
            client=client,
            actor=by,
            action=HistoryEntry.Action.UPDATED,
            subject=HISTORY_SUBJECT,
            summary=(
                f"Questionnaire fiscal : réponses confirmées pour la version "
                f"{QUESTIONNAIRE_VERSION} du questionnaire ({labels})"
            )[:250],
        )
    return obligations


def recompute_obligations(*, firm: Firm, client: Client) -> Obligations | None:
    """Derive the stored obligations again, e.g. after a change of law (rules/law.py)."""
    with transaction.atomic():
        stored = _lock_answers(firm, client)
        return _store_obligations(firm, client, stored, timezone.now())


def obligation_fields(result: Mapping[str, object]) -> dict[str, object]:
    """The columns of ``Obligations`` for a result of ``derive_obligations``."""
    fields: dict[str, object] = {name: result[name] for name in BOOLEAN_FIELDS}
    fields.update({name: result[name] or "" for name in TEXT_FIELDS})
    fields.update({name: _date(result[name]) for name in DATE_FIELDS})
    fields.update(
        complete=bool(result["complete"]),
        missing=list(result["missing"]),
        reasons=list(result["reasons"]),
    )
    return fields


def derived_obligations(
    *, firm: Firm, client: Client, answers: Mapping[str, Answer], now: datetime
) -> Obligations | None:
    """The obligations row for these answers, unsaved; ``None`` without any answer.

    Answers that no longer fit the catalogue (a value a newer version dropped) count as
    unanswered. The row carries the oldest version among the answers that count.
    """
    if not answers:
        return None
    values = {
        code: answer.value
        for code, answer in answers.items()
        if not validate_answers({code: answer.value})
    }
    counted = visible_answers(values)
    version = min(
        (answers[code].questionnaire_version for code in counted), default=QUESTIONNAIRE_VERSION
    )
    return Obligations(
        firm=firm,
        client=client,
        questionnaire_version=version,
        computed_at=now,
        **obligation_fields(derive_obligations(values)),
    )


def _lock_answers(firm: Firm, client: Client) -> dict[str, Answer]:
    # One writer at a time per client, so the obligations always match the last answers.
    Client.objects.for_firm(firm).select_for_update().filter(pk=client.pk).first()
    return {answer.code: answer for answer in Answer.objects.for_firm(firm).filter(client=client)}


def _mark_answered(answer: Answer, by: User | None, now: datetime) -> None:
    answer.questionnaire_version = QUESTIONNAIRE_VERSION
    answer.answered_by = by
    answer.answered_at = now
    answer.save(update_fields=["value", "questionnaire_version", "answered_by", "answered_at"])


def _store_obligations(
    firm: Firm, client: Client, answers: Mapping[str, Answer], now: datetime
) -> Obligations | None:
    rows = Obligations.objects.for_firm(firm).filter(client=client)
    derived = derived_obligations(firm=firm, client=client, answers=answers, now=now)
    if derived is None:
        rows.delete()
        obligations_changed.send(sender=Obligations, firm=firm, client_ids=[client.pk])
        return None
    fields = {
        field.name: getattr(derived, field.name)
        for field in Obligations._meta.concrete_fields
        if field.name not in ("id", "firm", "client")
    }
    # The client's row is locked (_lock_answers): no other writer of this client meanwhile, so
    # a plain read then write does (update_or_create would add a savepoint and a row lock).
    obligations = rows.first()
    if obligations is None:
        obligations = Obligations.objects.create(firm=firm, client=client, **fields)
    else:
        for name, value in fields.items():
            setattr(obligations, name, value)
        obligations.save(update_fields=list(fields))
    # The score reads the obligations: same transaction, so they never disagree.
    obligations_changed.send(sender=Obligations, firm=firm, client_ids=[client.pk])
    return obligations


def _stored_obligations(firm: Firm, client: Client) -> Obligations | None:
    return Obligations.objects.for_firm(firm).filter(client=client).first()


def _conflict(
    firm: Firm, client: Client, code: str, theirs: object, yours: object
) -> FieldConflict:
    author = history.last_author(firm.pk, client.pk, code, subject=HISTORY_SUBJECT)
    return FieldConflict(
        field=code,
        label=QUESTIONS_BY_CODE[code].label,
        theirs=shown_answer(code, theirs),
        yours=shown_answer(code, yours),
        by=str(author) if author else "",
    )


def _change(code: str, before: object, after: object) -> dict[str, str]:
    return {
        "label": QUESTIONS_BY_CODE[code].label,
        "from": shown_answer(code, before),
        "to": shown_answer(code, after),
    }


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None

"""The data of a synthesis report, read once from the database as plain JSON.

The PDF is rendered from this snapshot alone (``reports.document``), and the snapshot is stored
with the version: what the report shows is exactly what the firm knew that day. Every value is
text, a number, a boolean, None or an ISO date, worded in French as the report prints it.
"""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone, translation

from cartography.models import PROFILE_CODES, DigitalProfile, PlatformRole
from cartography.selectors import client_cartography
from clients.models import Client
from clients.naf import naf_label
from firms.models import Firm, User
from fiscal_questionnaire.answer_formats import shown_answer
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import QUESTIONS_BY_CODE, visible_questions
from fiscal_questionnaire.selectors import client_answers, client_obligations
from fiscal_questionnaire.sheet import obligation_lines
from french_formats.typography import printed_amount
from mandates.models import Mandate, MandateKind, MandateStatus
from reports.next_steps import next_steps, situation_from_snapshot
from scoring.engine.facts import INVOICING_CATEGORIES, OUTSIDE_THE_REFORM
from scoring.models import ClientScore

SNAPSHOT_FORMAT = 1


def build_snapshot(
    *,
    firm: Firm,
    client: Client,
    number: int,
    author: User | None,
    logo: bytes = b"",
    now: datetime.datetime | None = None,
) -> dict:
    """Everything report number ``number`` of ``client`` shows, its next steps included. Call
    inside the firm's scope; about ten queries."""
    now = now or timezone.now()
    with translation.override("fr"):
        snapshot = {
            "format": SNAPSHOT_FORMAT,
            "number": number,
            "generated_at": timezone.localtime(now).isoformat(timespec="seconds"),
            "generated_on": timezone.localtime(now).date().isoformat(),
            "author": {"id": author.pk, "name": author.full_name or author.email}
            if author
            else None,
            "firm": _firm(firm, logo),
            "client": _client(client),
            "answers": _answers(firm, client),
            "obligations": _obligations(client_obligations(firm, client)),
            **_cartography(firm, client),
            "score": _score(ClientScore.objects.for_firm(firm).filter(client=client).first()),
            "mandate": _mandate(firm, client),
        }
    snapshot["next_steps"] = [
        step.as_dict() for step in next_steps(situation_from_snapshot(snapshot))
    ]
    return snapshot


def _firm(firm: Firm, logo: bytes) -> dict:
    return {
        "name": firm.name,
        "siren": firm.siren,
        "vat_number": firm.vat_number,
        "address": firm.address,
        "postal_code": firm.postal_code,
        "city": firm.city,
        "phone": firm.phone,
        "email": firm.email_reply_to,
        "legal_mentions": firm.legal_mentions,
        "logo_sha256": hashlib.sha256(logo).hexdigest() if logo else None,
    }


def _client(client: Client) -> dict:
    return {
        "id": client.pk,
        "company_name": client.company_name,
        "siren": client.siren,
        "siret": client.siret,
        "naf_code": client.naf_code,
        "naf_label": naf_label(client.naf_code) if client.naf_code else "",
        "legal_form": client.legal_form,
        "vat_number": client.vat_number,
        "address": client.address,
        "postal_code": client.postal_code,
        "city": client.city,
        "fiscal_year_end": client.fiscal_year_end,
        "contact_name": client.contact_name,
        "contact_email": client.contact_email,
        "contact_phone": client.contact_phone,
        "signer": {
            "civility": client.signer_civility,
            "first_name": client.signer_first_name,
            "last_name": client.signer_last_name,
            "email": client.signer_email,
            "mobile": client.signer_mobile,
        },
        "billing_emails": list(client.billing_emails or []),
        "invoice_delivery": client.invoice_delivery,
        "invoice_delivery_label": str(client.get_invoice_delivery_display()),
        "assigned_to": client.assigned_to.full_name if client.assigned_to else "",
        "status": client.status,
    }


def _answers(firm: Firm, client: Client) -> list[dict]:
    """The questionnaire's visible questions, answered or not, in catalogue order."""
    answers: dict[str, Answer] = client_answers(firm, client)
    values = {code: answer.value for code, answer in answers.items()}
    rows = []
    for code in visible_questions(values):
        answer = answers.get(code)
        rows.append(
            {
                "code": code,
                "question": str(QUESTIONS_BY_CODE[code].label),
                "answer": _shown(code, answer.value) if answer else "",
                "answered_on": timezone.localtime(answer.answered_at).date().isoformat()
                if answer
                else None,
            }
        )
    return rows


def _shown(code: str, value: object) -> str:
    if code.endswith("_eur") and isinstance(value, int | float) and not isinstance(value, bool):
        return printed_amount(value)
    return str(shown_answer(code, value))


def _obligations(obligations: Obligations | None) -> dict | None:
    if obligations is None:
        return None

    def iso(day: datetime.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "in_scope": obligations.in_scope,
        "size_category": obligations.size_category,
        "must_receive": obligations.must_receive,
        "receive_from": iso(obligations.receive_from),
        "must_issue": obligations.must_issue,
        "issue_from": iso(obligations.issue_from),
        "e_reporting_transactions": obligations.e_reporting_transactions,
        "e_reporting_transactions_from": iso(obligations.e_reporting_transactions_from),
        "e_reporting_payments": obligations.e_reporting_payments,
        "e_reporting_payments_from": iso(obligations.e_reporting_payments_from),
        "e_reporting_frequency": obligations.e_reporting_frequency,
        "chorus_pro": obligations.chorus_pro,
        "complete": obligations.complete,
        "missing": [
            {"code": code, "question": str(QUESTIONS_BY_CODE[code].label)}
            for code in obligations.missing
            if code in QUESTIONS_BY_CODE
        ],
        "lines": [
            {
                "key": line.key,
                "label": str(line.label),
                "value": str(line.value),
                "tone": line.tone,
                "start": iso(line.start),
                "reasons": [
                    {"text": str(reason.get("text", "")), "reference": reason.get("reference", "")}
                    for reason in line.reasons
                ],
            }
            for line in obligation_lines(obligations)
        ],
        "questionnaire_version": obligations.questionnaire_version,
        "computed_at": timezone.localtime(obligations.computed_at).isoformat(timespec="seconds"),
    }


def _cartography(firm: Firm, client: Client) -> dict:
    cartography = client_cartography(firm, client)
    software = []
    for item in cartography.software:
        readiness = item.reform_ready
        software.append(
            {
                "label": item.label,
                "category": item.category,
                "category_label": str(item.get_category_display()),
                "version": item.version,
                "readiness": str(readiness),
                "readiness_label": _readiness_label(str(readiness)),
                "used_for_issuing": item.used_for_issuing,
                "used_for_receiving": item.used_for_receiving,
                # As the score counts them (scoring.engine.facts).
                "invoicing_tool": item.category not in OUTSIDE_THE_REFORM
                and (item.used_for_issuing or item.category in INVOICING_CATEGORIES),
            }
        )
    platforms = {}
    for role in PlatformRole:
        chosen = cartography.platforms.get(role.value)
        platforms[role.value] = (
            {
                "role_label": str(role.label),
                "name": chosen.platform.name,
                "status": chosen.status,
                "status_label": str(chosen.get_status_display()),
                "registration": str(chosen.platform.get_registration_status_display()),
                "since": chosen.status_dates.get(chosen.status),
            }
            if chosen
            else None
        )
    return {
        "software": software,
        "platforms": platforms,
        "profile": _profile(cartography.profile),
    }


def _readiness_label(readiness: str) -> str:
    return {"yes": "Prêt", "no": "Pas prêt"}.get(readiness, "Inconnu")


def _profile(profile: DigitalProfile | None) -> list[dict]:
    """The digital profile's answers, as label and shown value ("" when unanswered)."""
    rows = []
    for code in PROFILE_CODES:
        field = DigitalProfile._meta.get_field(code)
        value = getattr(profile, code) if profile else None
        if value is None:
            shown = ""
        elif field.choices:
            shown = str(dict(field.flatchoices).get(value, value))
        elif isinstance(value, bool):
            shown = "Oui" if value else "Non"
        elif code == "paper_share_received":
            shown = f"{value}\u00a0%"
        else:
            shown = str(value)
        rows.append({"code": code, "label": str(field.verbose_name), "answer": shown})
    return rows


def _score(score: ClientScore | None) -> dict | None:
    if score is None:
        return None
    return {
        "total": score.total,
        "level": score.level,
        "level_label": str(score.get_level_display()),
        "compliance": score.compliance,
        "breakdown": [
            {
                "label": line.get("label", ""),
                "answer": line.get("answer", ""),
                "points": line.get("points", 0),
            }
            for line in score.breakdown
        ],
        "checkpoints": [
            {
                "label": item.get("label", ""),
                "applies": bool(item.get("applies")),
                "met": bool(item.get("met")),
            }
            for item in score.checkpoints
        ],
        "grid_version": score.grid_version,
        "computed_at": timezone.localtime(score.computed_at).isoformat(timespec="seconds"),
    }


def _mandate(firm: Firm, client: Client) -> dict | None:
    """The delegation mandate as the score reads it: the signed one if any, else the latest."""
    mandates = list(
        Mandate.objects.for_firm(firm)
        .filter(client=client, kind=MandateKind.DELEGATION)
        .order_by("-created_at", "-id")
    )
    if not mandates:
        return None
    mandate = next((m for m in mandates if m.status == MandateStatus.SIGNED), mandates[0])
    return {
        "reference": mandate.reference,
        "status": mandate.status,
        "status_label": str(mandate.get_status_display()),
        "since": timezone.localtime(mandate.status_changed_at).date().isoformat(),
        "signed_on": mandate.signed_on.isoformat() if mandate.signed_on else None,
        "platform_name": mandate.platform_name,
    }

"""A synthesis report's PDF, rendered from its snapshot alone (and the firm's logo).

Every text of the snapshot is set in French typography (``french_formats.typography``: no-break
spaces before « : ; ? ! », inside the guillemets, in amounts and dates) and then escaped by the
template like any other value. Rendering goes through ``pdf.render_pdf_template``: only the
project's static files and the logo given here can be loaded, within ``TIMEOUT`` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from french_formats.typography import french_typography, printed_date
from pdf import render_pdf_template

TEMPLATE = "reports/report_pdf.html"
# A report renders in about 0.3 s; past this something is wrong (a huge value, a stuck process).
TIMEOUT = 10.0
LEVEL_TONES = {"low": "ok", "medium": "warn", "high": "danger"}


def report_pdf(snapshot: Mapping[str, Any], *, logo: bytes = b"") -> bytes:
    """The PDF of a report, as bytes (``pdf.PdfTimeout`` or ``pdf.PdfRenderError`` on failure)."""
    return render_pdf_template(
        TEMPLATE,
        report_context(snapshot),
        images={"logo": logo} if logo else None,
        timeout=TIMEOUT,
    )


def report_context(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """What the template reads: the snapshot typeset, its dates printed the French way."""
    data = typeset(snapshot)
    client = data["client"]
    obligations = data.get("obligations")
    generated = datetime.fromisoformat(snapshot["generated_at"])
    reasons: list[dict] = []
    if obligations:
        for line in obligations["lines"]:
            line["start_text"] = _printed(line.get("start"))
            line["reason_numbers"] = [_reason_number(reasons, reason) for reason in line["reasons"]]
    platforms = [item for item in data["platforms"].values() if item]
    for item in platforms:
        item["since_text"] = _printed(item.get("since"))
    for step in data["next_steps"]:
        step["due_text"] = _printed(step.get("due"))
    mandate = data.get("mandate")
    if mandate:
        mandate["since_text"] = _printed(mandate.get("since"))
        mandate["signed_on_text"] = _printed(mandate.get("signed_on"))
    score = data.get("score")
    signer = client["signer"]
    return {
        "report": data,
        "firm": data["firm"],
        "client": client,
        "number": data["number"],
        "generated_on": printed_date(generated.date()),
        "generated_time": f"{generated:%H}\u00a0h\u00a0{generated:%M}",
        "author": (data.get("author") or {}).get("name") or "",
        "client_address": ", ".join(
            part
            for part in (client["address"], f"{client['postal_code']} {client['city']}".strip())
            if part
        ),
        "signer_name": " ".join(
            part for part in (signer["civility"], signer["first_name"], signer["last_name"]) if part
        ),
        "obligations": obligations,
        "reasons": reasons,
        "key_dates": _key_dates(snapshot.get("obligations")),
        "next_steps": data["next_steps"],
        "software": data["software"],
        "platforms": platforms,
        "platform_roles": data["platforms"],
        "profile": [row for row in data["profile"] if row["answer"]],
        "score": score,
        "level_tone": LEVEL_TONES.get(score["level"], "") if score else "",
        "applicable_checkpoints": [c for c in score["checkpoints"] if c["applies"]]
        if score
        else [],
        "mandate": mandate,
    }


def typeset(value: Any) -> Any:
    """A copy of a JSON value whose strings are set in French typography."""
    if isinstance(value, str):
        return french_typography(value)
    if isinstance(value, Mapping):
        return {key: typeset(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [typeset(item) for item in value]
    return value


def _reason_number(reasons: list[dict], reason: dict) -> int:
    """The number of a reason in the report's list (a reason may explain several lines: it is
    printed once)."""
    if reason not in reasons:
        reasons.append(reason)
    return reasons.index(reason) + 1


def _printed(iso: str | None) -> str:
    return printed_date(date.fromisoformat(iso[:10])) if iso else ""


def _key_dates(obligations: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(obligation, when) for the summary: reception, issuing and e-reporting."""
    if not obligations:
        return [("Obligations", "à déterminer : questionnaire fiscal sans réponse")]
    rows = []
    for label, flag, start in (
        ("Réception", "must_receive", "receive_from"),
        ("Émission", "must_issue", "issue_from"),
        ("E-reporting", "e_reporting_transactions", "e_reporting_transactions_from"),
    ):
        value = obligations.get(flag)
        if flag == "e_reporting_transactions" and obligations.get("e_reporting_payments"):
            value = True
            start = start if obligations.get(start) else "e_reporting_payments_from"
        if value is None:
            shown = "à déterminer"
        elif value is False:
            shown = "non concernée"
        elif obligations.get(start):
            shown = f"dès le {_printed(obligations[start])}"
        else:
            shown = "oui, date à déterminer"
        rows.append((label, french_typography(shown)))
    return rows

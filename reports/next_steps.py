"""The next steps of a synthesis report: what is left to do for a client, each with the date that
matters and who acts, derived from the gaps in its situation.

A pure function over plain data (no ORM, no clock: ``today`` is given), like the obligation
rules and the scoring engine. The wording is the report's own, in French: a report is a French
document, whatever the language of the person who generates it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date

from fiscal_questionnaire.rules.law import FIRST_WAVE, RECEPTION_START
from french_formats.typography import printed_date

# Who acts.
CLIENT = "Le client"
FIRM = "Le cabinet"
TOGETHER = "Le client, avec le cabinet"
FIRM_BY_MANDATE = "Le cabinet, mandaté par le client"

# The platform statuses in the order a client goes through them (cartography.PlatformStatus).
PLATFORM_STAGES = ("considered", "chosen", "contract_signed", "connected", "tested")
CONNECTED = frozenset({"connected", "tested"})
# Mandate statuses after which a new mandate must be signed.
MANDATE_TO_REDO = {
    "refused": "Le précédent mandat a été refusé : en reparler avec le client.",
    "expired": "La précédente demande de signature a expiré sans réponse.",
    "cancelled": "Le précédent mandat a été annulé.",
}
QUESTIONS_LISTED = 3  # the missing questions named in the step; the others are counted


@dataclass(frozen=True)
class PlatformChoice:
    name: str
    status: str  # one of PLATFORM_STAGES


@dataclass(frozen=True)
class InvoicingTool:
    label: str
    readiness: str  # "yes", "no" or "unknown"


@dataclass(frozen=True)
class Situation:
    """What the next steps read about a client (``situation_from_snapshot`` builds it).

    An obligation is True, False or None while the questionnaire does not decide it."""

    today: date
    answered: bool = False  # the questionnaire has at least one answer
    missing_questions: tuple[str, ...] = ()  # their French wording, in catalogue order
    in_scope: bool | None = None
    must_receive: bool | None = None
    receive_from: date | None = None
    must_issue: bool | None = None
    issue_from: date | None = None
    e_reporting: bool | None = None  # transactions or payments
    e_reporting_from: date | None = None
    reception: PlatformChoice | None = None
    issuing: PlatformChoice | None = None
    invoicing_tools: tuple[InvoicingTool, ...] = ()
    mandate_status: str = ""  # "" without any delegation mandate
    signer_complete: bool = False  # name, e-mail and mobile of the legal representative
    has_billing_email: bool = False
    refuses_email: bool = False  # invoices by post: the client refused e-mail


@dataclass(frozen=True)
class NextStep:
    code: str
    action: str
    actor: str
    due: date | None  # the date that matters, if one does
    when: str  # "Avant le 1er septembre 2027", "Sans attendre : …", "Dès que possible"
    overdue: bool = False
    detail: str = ""
    rank: int = field(default=0, compare=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        del data["rank"]
        return data


def next_steps(situation: Situation) -> list[NextStep]:
    """The steps left, the most pressing first: by the date that matters (those past it first,
    then the undated ones), then in the order of the reform's work."""
    steps = [*_questionnaire(situation)]
    if situation.in_scope is not False:
        platform_steps = [*_reception(situation), *_issuing(situation)]
        steps += platform_steps
        steps += _tools(situation)
        steps += _e_reporting(situation)
        steps += _mandate(situation, platform_steps)
    else:
        steps.append(
            _step(
                situation,
                "report_changes",
                "Prévenir le cabinet de tout changement : assujettissement à la TVA, "
                "établissement en France, nouvelle activité",
                CLIENT,
                None,
                when="À chaque changement",
            )
        )
    steps += _billing_email(situation)
    if not steps:
        steps.append(
            _step(
                situation,
                "keep_up_to_date",
                "Aucune action en attente : prévenir le cabinet de tout changement de logiciel, "
                "de plateforme ou d'activité",
                CLIENT,
                None,
                when="À chaque changement",
            )
        )
    order = {step.code: index for index, step in enumerate(steps)}
    return sorted(
        steps,
        key=lambda step: (step.due is None, step.due or date.max, step.rank, order[step.code]),
    )


def _step(
    situation: Situation,
    code: str,
    action: str,
    actor: str,
    due: date | None,
    *,
    detail: str = "",
    when: str = "",
    rank: int = 0,
) -> NextStep:
    overdue = due is not None and due < situation.today
    if not when:
        if due is None:
            when = "Dès que possible"
        elif overdue:
            when = f"Sans attendre : échéance du {printed_date(due)} dépassée"
        else:
            when = f"Avant le {printed_date(due)}"
    return NextStep(code, action, actor, due, when, overdue, detail, rank)


def _questionnaire(situation: Situation) -> list[NextStep]:
    if not situation.answered:
        return [
            _step(
                situation,
                "answer_questionnaire",
                "Répondre au questionnaire fiscal, qui détermine les obligations de l'entreprise",
                TOGETHER,
                RECEPTION_START,
            )
        ]
    if not situation.missing_questions:
        return []
    questions = situation.missing_questions
    named = " ; ".join(f"« {question} »" for question in questions[:QUESTIONS_LISTED])
    others = len(questions) - QUESTIONS_LISTED
    if others > 0:
        named += f" et {others} autre{'s' if others > 1 else ''}"
    return [
        _step(
            situation,
            "answer_missing_questions",
            "Répondre aux questions encore ouvertes du questionnaire fiscal",
            TOGETHER,
            _undecided_deadline(situation),
            detail=f"Questions : {named}.",
        )
    ]


def _undecided_deadline(situation: Situation) -> date | None:
    """The earliest date an undecided obligation may already apply from (an unknown counts at
    its worst plausible answer, as in the score)."""
    dates = []
    if situation.must_receive is None:
        dates.append(RECEPTION_START)
    if situation.must_issue is None or (situation.must_issue and not situation.issue_from):
        dates.append(FIRST_WAVE)
    if situation.e_reporting is None:
        dates.append(situation.issue_from or FIRST_WAVE)
    return min(dates) if dates else None


def _platform_steps(
    situation: Situation,
    platform: PlatformChoice | None,
    *,
    role: str,
    due: date,
    rank: int,
) -> list[NextStep]:
    """The one next stage of a platform: choose, sign, connect, test."""
    actor = FIRM_BY_MANDATE if situation.mandate_status == "signed" else CLIENT
    stage = PLATFORM_STAGES.index(platform.status) if platform else -1
    if stage == len(PLATFORM_STAGES) - 1:
        return []
    if stage <= 0:
        detail = f"Plateforme envisagée : {platform.name}." if platform else ""
        return [
            _step(
                situation,
                f"choose_{role}_platform",
                f"Choisir une plateforme agréée (PA) pour l'{_role_word(role)} des factures",
                actor,
                due,
                detail=detail,
                rank=rank,
            )
        ]
    assert platform is not None
    action = {
        1: f"Signer le contrat avec {platform.name}, PA choisie pour l'{_role_word(role)}",
        2: f"Raccorder {platform.name} aux outils de l'entreprise pour l'{_role_word(role)}",
        3: f"Tester l'{_role_word(role)} des factures par {platform.name}",
    }[stage]
    return [_step(situation, f"{role}_platform_stage", action, actor, due, rank=rank)]


def _role_word(role: str) -> str:
    return "réception" if role == "reception" else "émission"


def _reception(situation: Situation) -> list[NextStep]:
    if situation.must_receive is False:
        return []
    due = situation.receive_from or RECEPTION_START
    return _platform_steps(situation, situation.reception, role="reception", due=due, rank=1)


def _issue_deadline(situation: Situation) -> date:
    return situation.issue_from or FIRST_WAVE


def _issuing(situation: Situation) -> list[NextStep]:
    if situation.must_issue is False:
        return []
    due = _issue_deadline(situation)
    return _platform_steps(situation, situation.issuing, role="issuing", due=due, rank=2)


def _tools(situation: Situation) -> list[NextStep]:
    if situation.must_issue is False:
        return []
    due = _issue_deadline(situation)
    if not situation.invoicing_tools:
        return [
            _step(
                situation,
                "record_invoicing_tool",
                "Choisir l'outil de facturation qui produira les factures électroniques et le "
                "signaler au cabinet",
                TOGETHER,
                due,
                rank=3,
            )
        ]
    steps = []
    for index, tool in enumerate(situation.invoicing_tools):
        if tool.readiness == "no":
            steps.append(
                _step(
                    situation,
                    f"replace_invoicing_tool_{index}",
                    f"Remplacer ou mettre à jour {tool.label}, qui n'est pas prêt pour la réforme",
                    CLIENT,
                    due,
                    detail="Il doit pouvoir émettre des factures électroniques avant la date "
                    "d'émission obligatoire.",
                    rank=3,
                )
            )
        elif tool.readiness != "yes":
            steps.append(
                _step(
                    situation,
                    f"check_invoicing_tool_{index}",
                    f"Vérifier auprès de l'éditeur que {tool.label} sera prêt pour la réforme",
                    FIRM,
                    due,
                    rank=4,
                )
            )
    return steps


def _e_reporting(situation: Situation) -> list[NextStep]:
    if situation.e_reporting is not True:
        return []
    platforms = (situation.reception, situation.issuing)
    if any(platform and platform.status in CONNECTED for platform in platforms):
        return []
    due = situation.e_reporting_from or _issue_deadline(situation)
    actor = FIRM_BY_MANDATE if situation.mandate_status == "signed" else CLIENT
    return [
        _step(
            situation,
            "e_reporting",
            "Confier l'e-reporting à une plateforme agréée raccordée",
            actor,
            due,
            rank=5,
        )
    ]


def _mandate(situation: Situation, platform_steps: Sequence[NextStep]) -> list[NextStep]:
    """The delegation mandate lets the firm act with the PA: it matters by the first platform
    deadline still open."""
    status = situation.mandate_status
    if status == "signed":
        return []
    dated = [step.due for step in platform_steps if step.due]
    due = min(dated) if dated else None
    steps = []
    if status in ("", *MANDATE_TO_REDO) and not situation.signer_complete:
        steps.append(
            _step(
                situation,
                "complete_signer",
                "Indiquer au cabinet le représentant légal qui signera le mandat (nom, e-mail, "
                "téléphone mobile)",
                CLIENT,
                due,
                rank=6,
            )
        )
    if status in ("draft", "to_sign"):
        action, actor, detail = "Envoyer le mandat de délégation pour signature", FIRM, ""
    elif status == "sent":
        action, actor, detail = (
            "Signer le mandat de délégation reçu par e-mail",
            CLIENT,
            "La signature se fait en ligne, avec un code reçu par SMS.",
        )
    else:
        action, actor = "Signer le mandat de délégation, que le cabinet prépare", TOGETHER
        detail = MANDATE_TO_REDO.get(status, "")
    steps.append(_step(situation, "sign_mandate", action, actor, due, detail=detail, rank=7))
    return steps


def _billing_email(situation: Situation) -> list[NextStep]:
    if situation.has_billing_email or situation.refuses_email:
        return []
    return [
        _step(
            situation,
            "collect_billing_email",
            "Communiquer au cabinet une adresse e-mail de facturation",
            CLIENT,
            None,
            when="Avant la prochaine facture du cabinet",
            detail="Les factures du cabinet seront alors envoyées par e-mail.",
            rank=8,
        )
    ]


# --- From a report's snapshot -----------------------------------------------------------------


def situation_from_snapshot(snapshot: Mapping) -> Situation:
    """The situation a snapshot (reports.snapshot.build_snapshot) describes."""
    obligations = snapshot.get("obligations") or {}
    platforms = snapshot.get("platforms") or {}
    client = snapshot.get("client") or {}
    signer = client.get("signer") or {}
    mandate = snapshot.get("mandate") or {}

    def platform(role: str) -> PlatformChoice | None:
        item = platforms.get(role)
        return PlatformChoice(item["name"], item["status"]) if item else None

    def day(key: str) -> date | None:
        value = obligations.get(key)
        return date.fromisoformat(value) if value else None

    transactions = obligations.get("e_reporting_transactions")
    payments = obligations.get("e_reporting_payments")
    if transactions is True or payments is True:
        e_reporting: bool | None = True
    elif transactions is False and payments is False:
        e_reporting = False
    else:
        e_reporting = None
    reporting_dates = [
        d for d in (day("e_reporting_transactions_from"), day("e_reporting_payments_from")) if d
    ]
    return Situation(
        today=date.fromisoformat(snapshot["generated_on"]),
        answered=bool(obligations),
        missing_questions=tuple(item["question"] for item in obligations.get("missing", [])),
        in_scope=obligations.get("in_scope"),
        must_receive=obligations.get("must_receive"),
        receive_from=day("receive_from"),
        must_issue=obligations.get("must_issue"),
        issue_from=day("issue_from"),
        e_reporting=e_reporting,
        e_reporting_from=min(reporting_dates) if reporting_dates else None,
        reception=platform("reception"),
        issuing=platform("issuing"),
        invoicing_tools=tuple(
            InvoicingTool(item["label"], item["readiness"])
            for item in snapshot.get("software", [])
            if item.get("invoicing_tool")
        ),
        mandate_status=mandate.get("status", ""),
        signer_complete=bool(
            signer.get("last_name") and signer.get("email") and signer.get("mobile")
        ),
        has_billing_email=bool(client.get("billing_emails")),
        refuses_email=client.get("invoice_delivery") == "email_refused",
    )

"""The next steps of a report: a pure function of the client's situation, table-tested."""

from __future__ import annotations

from datetime import date

import pytest

from reports.next_steps import (
    CLIENT,
    FIRM,
    FIRM_BY_MANDATE,
    TOGETHER,
    InvoicingTool,
    PlatformChoice,
    Situation,
    next_steps,
    situation_from_snapshot,
)

TODAY = date(2026, 12, 1)
RECEPTION = date(2026, 9, 1)
SECOND_WAVE = date(2027, 9, 1)

# A PME established in France, everything decided, nothing done yet.
PME = {
    "today": TODAY,
    "answered": True,
    "in_scope": True,
    "must_receive": True,
    "receive_from": RECEPTION,
    "must_issue": True,
    "issue_from": SECOND_WAVE,
    "e_reporting": False,
    "signer_complete": True,
    "has_billing_email": True,
}
# The same, with everything done.
READY = {
    **PME,
    "reception": PlatformChoice("PA Lumière", "tested"),
    "issuing": PlatformChoice("PA Lumière", "tested"),
    "invoicing_tools": (InvoicingTool("Sage Facturation", "yes"),),
    "mandate_status": "signed",
}


def steps_of(**situation) -> dict[str, tuple]:
    """code: (actor, due, overdue) of each step."""
    return {
        step.code: (step.actor, step.due, step.overdue)
        for step in next_steps(Situation(**situation))
    }


@pytest.mark.parametrize(
    ("situation", "expected"),
    [
        pytest.param(
            {"today": TODAY},
            {
                "answer_questionnaire": (TOGETHER, RECEPTION, True),
                "choose_reception_platform": (CLIENT, RECEPTION, True),
                "choose_issuing_platform": (CLIENT, date(2026, 9, 1), True),
                "record_invoicing_tool": (TOGETHER, date(2026, 9, 1), True),
                "complete_signer": (CLIENT, RECEPTION, True),
                "sign_mandate": (TOGETHER, RECEPTION, True),
                "collect_billing_email": (CLIENT, None, False),
            },
            id="nothing known: every unknown at its worst, past the reception date",
        ),
        pytest.param(
            PME,
            {
                "choose_reception_platform": (CLIENT, RECEPTION, True),
                "choose_issuing_platform": (CLIENT, SECOND_WAVE, False),
                "record_invoicing_tool": (TOGETHER, SECOND_WAVE, False),
                "sign_mandate": (TOGETHER, RECEPTION, True),
            },
            id="a PME with nothing done",
        ),
        pytest.param(READY, {"keep_up_to_date": (CLIENT, None, False)}, id="all done"),
        pytest.param(
            {**READY, "invoicing_tools": (InvoicingTool("Word", "no"), InvoicingTool("X", "yes"))},
            {"replace_invoicing_tool_0": (CLIENT, SECOND_WAVE, False)},
            id="a tool not ready is replaced before the issuing date",
        ),
        pytest.param(
            {**READY, "invoicing_tools": (InvoicingTool("Maison", "unknown"),)},
            {"check_invoicing_tool_0": (FIRM, SECOND_WAVE, False)},
            id="a tool of unknown readiness is checked by the firm",
        ),
        pytest.param(
            {**READY, "reception": PlatformChoice("PA Lumière", "contract_signed")},
            {"reception_platform_stage": (FIRM_BY_MANDATE, RECEPTION, True)},
            id="with a signed mandate, the firm connects the platform",
        ),
        pytest.param(
            {**READY, "mandate_status": "sent"},
            {"sign_mandate": (CLIENT, None, False)},
            id="a mandate sent is signed by the client",
        ),
        pytest.param(
            {**READY, "mandate_status": "to_sign"},
            {"sign_mandate": (FIRM, None, False)},
            id="a mandate to sign is sent by the firm",
        ),
        pytest.param(
            {**READY, "mandate_status": "refused", "signer_complete": False},
            {"complete_signer": (CLIENT, None, False), "sign_mandate": (TOGETHER, None, False)},
            id="a refused mandate is signed again, its signer first",
        ),
        pytest.param(
            {**READY, "has_billing_email": False},
            {"collect_billing_email": (CLIENT, None, False)},
            id="no billing e-mail",
        ),
        pytest.param(
            {**READY, "has_billing_email": False, "refuses_email": True},
            {"keep_up_to_date": (CLIENT, None, False)},
            id="no billing e-mail asked of a client who refused e-mail",
        ),
        pytest.param(
            {
                **READY,
                "e_reporting": True,
                "reception": PlatformChoice("P", "chosen"),
                "issuing": PlatformChoice("P", "chosen"),
                "e_reporting_from": SECOND_WAVE,
            },
            {
                "reception_platform_stage": (FIRM_BY_MANDATE, RECEPTION, True),
                "issuing_platform_stage": (FIRM_BY_MANDATE, SECOND_WAVE, False),
                "e_reporting": (FIRM_BY_MANDATE, SECOND_WAVE, False),
            },
            id="e-reporting waits for a connected platform",
        ),
        pytest.param(
            {**READY, "missing_questions": ("Régime de TVA",), "e_reporting": None},
            {"answer_missing_questions": (TOGETHER, SECOND_WAVE, False)},
            id="an open question matters by the date it could decide",
        ),
        pytest.param(
            {
                "today": TODAY,
                "answered": True,
                "in_scope": False,
                "must_receive": False,
                "must_issue": False,
                "e_reporting": False,
                "has_billing_email": True,
            },
            {"report_changes": (CLIENT, None, False)},
            id="out of scope: no platform, no mandate",
        ),
        pytest.param(
            {
                **PME,
                "must_issue": False,
                "issue_from": None,
                "mandate_status": "signed",
                "reception": PlatformChoice("P", "tested"),
            },
            {"keep_up_to_date": (CLIENT, None, False)},
            id="reception only, done",
        ),
        pytest.param(
            {**PME, "today": date(2026, 6, 1)},
            {
                "choose_reception_platform": (CLIENT, RECEPTION, False),
                "choose_issuing_platform": (CLIENT, SECOND_WAVE, False),
                "record_invoicing_tool": (TOGETHER, SECOND_WAVE, False),
                "sign_mandate": (TOGETHER, RECEPTION, False),
            },
            id="before the reception date nothing is overdue",
        ),
    ],
)
def test_next_steps(situation, expected):
    assert steps_of(**situation) == expected


def test_the_most_pressing_come_first():
    steps = next_steps(Situation(**{**PME, "has_billing_email": False}))
    assert [step.code for step in steps] == [
        "choose_reception_platform",
        "sign_mandate",
        "choose_issuing_platform",
        "record_invoicing_tool",
        "collect_billing_email",
    ]


@pytest.mark.parametrize(
    ("today", "when"),
    [
        (date(2027, 1, 1), "Avant le 1er\u00a0septembre\u00a02027"),
        (
            date(2027, 9, 2),
            "Sans attendre : échéance du 1er\u00a0septembre\u00a02027 dépassée",
        ),
    ],
)
def test_the_date_that_matters_is_worded(today, when):
    steps = next_steps(Situation(**{**READY, "today": today, "issuing": None}))
    assert [(step.code, step.when) for step in steps] == [("choose_issuing_platform", when)]


def test_missing_questions_are_named_three_at_most():
    questions = ("Un ?", "Deux ?", "Trois ?", "Quatre ?", "Cinq ?")
    (step,) = [
        s
        for s in next_steps(Situation(**{**READY, "missing_questions": questions}))
        if s.code == "answer_missing_questions"
    ]
    assert step.detail == "Questions : « Un ? » ; « Deux ? » ; « Trois ? » et 2 autres."


def test_a_snapshot_gives_its_situation():
    snapshot = {
        "generated_on": "2026-12-01",
        "client": {
            "signer": {"last_name": "Martin", "email": "c@x.test", "mobile": "+33639980123"},
            "billing_emails": [],
            "invoice_delivery": "paper",
        },
        "obligations": {
            "in_scope": True,
            "must_receive": True,
            "receive_from": "2026-09-01",
            "must_issue": True,
            "issue_from": "2027-09-01",
            "e_reporting_transactions": False,
            "e_reporting_payments": True,
            "e_reporting_transactions_from": None,
            "e_reporting_payments_from": "2027-09-01",
            "missing": [{"code": "vat_regime", "question": "Régime de TVA"}],
        },
        "platforms": {"reception": {"name": "PA", "status": "chosen"}, "issuing": None},
        "software": [
            {"label": "Ebp", "readiness": "no", "invoicing_tool": True},
            {"label": "Paie", "readiness": "no", "invoicing_tool": False},
        ],
        "mandate": {"status": "sent"},
    }
    assert situation_from_snapshot(snapshot) == Situation(
        today=TODAY,
        answered=True,
        missing_questions=("Régime de TVA",),
        in_scope=True,
        must_receive=True,
        receive_from=RECEPTION,
        must_issue=True,
        issue_from=SECOND_WAVE,
        e_reporting=True,
        e_reporting_from=SECOND_WAVE,
        reception=PlatformChoice("PA", "chosen"),
        issuing=None,
        invoicing_tools=(InvoicingTool("Ebp", "no"),),
        mandate_status="sent",
        signer_complete=True,
        has_billing_email=False,
        refuses_email=False,
    )

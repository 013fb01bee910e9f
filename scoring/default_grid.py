"""The starting scoring grid (REGULATION.md §5), in the JSON shape a firm's grid is stored in.

Points measure urgency. What is not known yet scores as the worst answer it may turn into
(``unanswered`` below; the rule is in ``scoring/engine/score.py``), so that answering a question
can only confirm or lower a client's urgency. Read it through
``scoring.engine.load_default_grid()`` (or ``grid_from_dict``), which validates it; treat this
dict as read-only. Criterion codes and their French labels are in ``scoring/engine/criteria.py``.
"""

from typing import Any

# Approved platform (PA) statuses, from none to tested (SPEC.md §3.4).
_NO_POINTS_ONCE_CHOSEN = {"chosen": 0, "contract_signed": 0, "connected": 0, "tested": 0}

DEFAULT_GRID: dict[str, Any] = {
    "criteria": {
        # Digital profile (REGULATION.md §4).
        "invoice_tool": {
            "points": {
                "paper": 8,
                "word_excel": 6,
                "pos": 3,
                "invoicing_software": 0,
                "accounting_software": 0,
                "erp": 0,
                "unanswered": 8,
            }
        },
        "invoices_issued_per_month": {
            "bands": [{"more_than": 100, "points": 4}, {"at_least": 20, "points": 2}],
            "unanswered": 4,
        },
        "paper_share_received": {
            "bands": [{"more_than": 50, "points": 4}, {"at_least": 10, "points": 2}],
            "unanswered": 4,
        },
        "purchase_entry": {
            "points": {"client_manual": 2, "firm": 0, "automated": 0, "unanswered": 2}
        },
        "digital_maturity": {"points": {"low": 5, "medium": 2, "high": 0, "unanswered": 5}},
        # Equipment.
        "no_invoicing_tool": {"points": 4},
        "software_not_ready": {"points_each": 4, "cap": 12},
        "software_readiness_unknown": {"points_each": 2, "cap": None},
        "reception_platform": {
            "points": {
                "none": 8,
                "considered": 8,
                "chosen": 4,
                "contract_signed": 2,
                "connected": 0,
                "tested": 0,
            }
        },
        "issuing_platform": {
            "within_months": 12,
            "due_soon": {"none": 8, "considered": 8, **_NO_POINTS_ONCE_CHOSEN},
            "due_later": {"none": 4, "considered": 4, **_NO_POINTS_ONCE_CHOSEN},
        },
        # Obligations.
        "questionnaire_incomplete": {"points": 6},
        "size_undecided": {"points": 3},
        "mandate_not_signed": {"points": 3},
    },
    # Under 10 points low, 10 to 28 medium, 29 and over high.
    "thresholds": {"medium_from": 10, "high_from": 29},
}

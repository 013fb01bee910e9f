"""Gathering what the scoring engine reads, for many clients at once in a fixed number of
queries: the stored obligations, the cartography and the delegation mandates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from django.db.models import CharField

from cartography.selectors import blank_cartography, cartography_inputs_for_clients
from firms.lookups import among
from fiscal_questionnaire.models import Obligations
from fiscal_questionnaire.rules import RESULT_KEYS
from mandates.models import Mandate, MandateKind, MandateStatus
from scoring.engine import ScoringInput, SoftwareItem

# derive_obligations' result keys that the engine reads, stored as columns of Obligations.
OBLIGATION_KEYS = tuple(key for key in RESULT_KEYS if key != "reasons")
# Their text columns, where empty means undecided (None in derive_obligations' result).
TEXT_KEYS = tuple(
    key for key in OBLIGATION_KEYS if isinstance(Obligations._meta.get_field(key), CharField)
)


def _as_result(row: Sequence[object]) -> dict:
    """An Obligations row (client id, then OBLIGATION_KEYS) back in derive_obligations' shape,
    its dates as dates rather than ISO text (the engine and the facts take either)."""
    result = dict(zip(OBLIGATION_KEYS, row[1:], strict=True))
    for key in TEXT_KEYS:
        if result[key] == "":
            result[key] = None
    return result


def mandate_statuses(firm_id: int, client_ids: Iterable[int]) -> dict[int, str]:
    """Where each client's delegation mandate stands: "signed" when one is signed, else the
    status of the latest one; clients without any are left out."""
    statuses: dict[int, str] = {}
    rows = (
        Mandate.objects.for_firm(firm_id)
        .filter(among("client_id", list(client_ids)), kind=MandateKind.DELEGATION)
        .order_by("created_at", "id")
        .values_list("client_id", "status")
    )
    for client_id, status in rows:
        if statuses.get(client_id) != MandateStatus.SIGNED:
            statuses[client_id] = status
    return statuses


def scoring_inputs(
    firm_id: int,
    client_ids: Iterable[int],
    *,
    today: date,
    mandates: Mapping[int, str] | None = None,
) -> dict[int, ScoringInput]:
    """What the engine reads for each client; ``mandates``: the clients' mandate_statuses when
    the caller has read them already."""
    ids = list(client_ids)
    obligations = {
        row[0]: _as_result(row)
        for row in Obligations.objects.for_firm(firm_id)
        .filter(among("client_id", ids))
        .values_list("client_id", *OBLIGATION_KEYS)
    }
    cartography = cartography_inputs_for_clients(firm_id, ids)
    if mandates is None:
        mandates = mandate_statuses(firm_id, ids)
    # Few distinct software items (category, readiness, uses): each made once and shared.
    items: dict[tuple, SoftwareItem] = {}
    return {
        client_id: _scoring_input(
            today,
            cartography[client_id],
            obligations=obligations.get(client_id),
            mandate_signed=mandates.get(client_id) == MandateStatus.SIGNED,
            items=items,
        )
        for client_id in ids
    }


def new_client_input(today: date) -> ScoringInput:
    """What the engine reads for a client just created, with nothing recorded yet: what
    ``scoring_inputs`` would read for it, without a query."""
    return _scoring_input(
        today, blank_cartography(), obligations=None, mandate_signed=False, items={}
    )


def _scoring_input(
    today: date,
    equipment: dict,
    *,
    obligations: dict | None,
    mandate_signed: bool,
    items: dict[tuple, SoftwareItem],
) -> ScoringInput:
    """One client's input from its cartography (``cartography_inputs_for_clients``' shape);
    ``items``: the software items made so far, shared between clients."""
    software = []
    for item in equipment["software"]:
        key = (
            item["category"],
            item["reform_ready"],
            item["used_for_issuing"],
            item["used_for_receiving"],
            item.get("name", ""),
        )
        made = items.get(key)
        if made is None:
            made = items[key] = SoftwareItem(*key)
        software.append(made)
    return ScoringInput(
        today=today,
        profile=equipment["profile"],
        software=tuple(software),
        reception_platform=equipment["reception_platform"],
        issuing_platform=equipment["issuing_platform"],
        obligations=obligations,
        mandate_signed=mandate_signed,
    )

"""Gathering what the scoring engine reads, for many clients at once in a fixed number of
queries: the stored obligations, the cartography and the delegation mandates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from cartography.selectors import cartography_inputs_for_clients
from firms.lookups import among
from fiscal_questionnaire.models import Obligations
from fiscal_questionnaire.rules import RESULT_KEYS
from mandates.models import Mandate, MandateKind, MandateStatus
from scoring.engine import ScoringInput, SoftwareItem

# derive_obligations' result keys that the engine reads, stored as columns of Obligations.
OBLIGATION_KEYS = tuple(key for key in RESULT_KEYS if key != "reasons")


def _as_result(row: dict) -> dict:
    """An Obligations row (as values()) back in derive_obligations' shape."""
    result = {}
    for key in OBLIGATION_KEYS:
        value = row[key]
        if isinstance(value, date):
            value = value.isoformat()
        elif value == "":
            value = None  # empty text columns mean undecided
        result[key] = value
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
        row["client_id"]: _as_result(row)
        for row in Obligations.objects.for_firm(firm_id)
        .filter(among("client_id", ids))
        .values("client_id", *OBLIGATION_KEYS)
    }
    cartography = cartography_inputs_for_clients(firm_id, ids)
    if mandates is None:
        mandates = mandate_statuses(firm_id, ids)
    inputs = {}
    for client_id in ids:
        equipment = cartography[client_id]
        inputs[client_id] = ScoringInput(
            today=today,
            profile=equipment["profile"],
            software=tuple(
                SoftwareItem(
                    category=item["category"],
                    reform_ready=item["reform_ready"],
                    used_for_issuing=item["used_for_issuing"],
                    used_for_receiving=item["used_for_receiving"],
                    name=item.get("name", ""),
                )
                for item in equipment["software"]
            ),
            reception_platform=equipment["reception_platform"],
            issuing_platform=equipment["issuing_platform"],
            obligations=obligations.get(client_id),
            mandate_signed=mandates.get(client_id) == MandateStatus.SIGNED,
        )
    return inputs

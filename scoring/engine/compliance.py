"""The compliance checkpoints of REGULATION.md §5 and the compliance percentage.

Like the criteria of the score, a checkpoint applies until the questionnaire rules it out, so a
client whose questionnaire is unanswered cannot look compliant:

- obligations_decided: always applies; met when the questionnaire is complete, or the company
  is known to be out of scope;
- reception_platform_chosen / _connected: apply unless must_receive is false; met when the
  reception PA is chosen or further along / connected or tested;
- issuing_platform_chosen: applies unless must_issue is false; met when the issuing PA is chosen
  or further along;
- issuing_software_ready: applies unless must_issue is false; met when invoicing tools are
  recorded and every one is reform-ready;
- e_reporting_handled: applies unless both e-reporting duties are false; met when the issuing or
  the reception PA is connected or tested;
- mandate_signed: applies when mandates are tracked (not None) and in_scope is not false; met
  when signed.
"""

from collections.abc import Sequence
from types import MappingProxyType
from typing import NamedTuple

from scoring.engine.criteria import PLATFORM_CHOSEN, PLATFORM_CONNECTED
from scoring.engine.facts import ClientFacts
from scoring.engine.inputs import ScoringInput

CHECKPOINT_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "obligations_decided": "Obligations déterminées",
        "reception_platform_chosen": "PA de réception choisie",
        "reception_platform_connected": "PA de réception connectée",
        "issuing_platform_chosen": "PA d'émission choisie",
        "issuing_software_ready": "Outils de facturation prêts pour la réforme",
        "e_reporting_handled": "E-reporting confié à une PA connectée",
        "mandate_signed": "Mandat de délégation signé",
    }
)


class Checkpoint(NamedTuple):
    code: str  # key of CHECKPOINT_LABELS
    label: str  # French
    applies: bool  # counts in the compliance percentage
    met: bool  # achieved, whether or not it applies


def checkpoints(client: ScoringInput, facts: ClientFacts) -> tuple[Checkpoint, ...]:
    """All seven checkpoints, in CHECKPOINT_LABELS order."""
    return checkpoints_and_percent(client, facts)[0]


def checkpoints_and_percent(
    client: ScoringInput, facts: ClientFacts
) -> tuple[tuple[Checkpoint, ...], int]:
    """``checkpoints`` and their ``compliance_percent``."""
    reception = client.reception_platform
    issuing = client.issuing_platform
    receives = facts.must_receive is not False
    issues = facts.must_issue is not False
    tools = facts.invoicing_tools
    reports = facts.reports_transactions is not False or facts.reports_payments is not False
    # E-reporting is sent by a platform: handled once either of the client's PAs is connected
    # (the issuing one as a rule; the reception one for a company that issues nothing).
    reporting_platform = reception in PLATFORM_CONNECTED or issuing in PLATFORM_CONNECTED
    mandate_applies = client.mandate_signed is not None and facts.in_scope is not False
    ready_tools = bool(tools) and all(tool.reform_ready is True for tool in tools)
    states = (
        True,
        facts.decided,
        receives,
        reception in PLATFORM_CHOSEN,
        receives,
        reception in PLATFORM_CONNECTED,
        issues,
        issuing in PLATFORM_CHOSEN,
        issues,
        ready_tools,
        reports,
        reporting_platform,
        mandate_applies,
        client.mandate_signed is True,
    )
    made = _MADE.get(states)
    if made is None:
        made_checkpoints = tuple(
            Checkpoint(code, CHECKPOINT_LABELS[code], applies, met)
            for code, applies, met in zip(CHECKPOINT_LABELS, states[::2], states[1::2], strict=True)
        )
        made = _MADE[states] = (made_checkpoints, compliance_percent(made_checkpoints))
    return made


# Each combination of (applies, met) flags made once (few of the 2 ** 14 occur, and a tuple of
# checkpoints is immutable): a client's checkpoints are then one dictionary lookup.
_MADE: dict[tuple[bool, ...], tuple[tuple[Checkpoint, ...], int]] = {}


def compliance_percent(all_checkpoints: Sequence[Checkpoint]) -> int:
    """round(100 × met / applicable); 100 when nothing applies (nothing to do is compliant).

    obligations_decided always applies, so "nothing applies" only guards future checkpoints.
    """
    applicable = 0
    met = 0
    for checkpoint in all_checkpoints:
        if checkpoint.applies:
            applicable += 1
            met += checkpoint.met
    return round(100 * met / applicable) if applicable else 100

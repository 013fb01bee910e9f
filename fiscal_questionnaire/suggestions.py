"""Answers the client record suggests: shown next to a question, saved only when confirmed.

What the firm already knows (legal form, NAF code, tags, address) often hints at an answer, but
never settles it: an association may run a taxable business, a micro-entrepreneur may have
given up the franchise. So a suggestion is offered with its reason, and the collaborator
confirms it with a click, which saves it like any other answer. Nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clients.models import Client
from clients.naf import naf_label
from fiscal_questionnaire.answer_formats import shown_answer

FRANCHISE_TAG = re.compile(r"franchise", re.IGNORECASE)
SOLE_TRADER_FORMS = ("micro-entreprise", "micro-entrepreneur", "auto-entrepreneur", "ei")
FRENCH_POSTAL_CODE = re.compile(r"^\d{5}$")
NAF_CODE = re.compile(r"^\d{2}\.\d{2}[A-Z]$")

# Activity by NAF division (the first two digits): goods, services or both, for VAT purposes.
# Construction work is a supply of services (travaux immobiliers), restaurants too.
GOODS_DIVISIONS = frozenset(
    {f"{division:02d}" for division in (*range(1, 40), 46, 47)}  # farming, industry, trade
)
# Finer exceptions by group (the first three digits).
GROUP_ACTIVITY = {
    "41.1": "goods",  # property development: sales of buildings
    "45.1": "goods",  # sale of motor vehicles
    "45.2": "services",  # repair of motor vehicles
    "45.3": "goods",
    "45.4": "mixed",
    "56.1": "mixed",  # restaurants: meals on the spot (services) and take-away (goods)
}
# Health care by medical and paramedical professions is exempt (CGI, art. 261, 4, 1°), and so
# is the work of insurance intermediaries (art. 261 C, 2°).
EXEMPT_DIVISIONS_OR_GROUPS = ("86", "66.2")
ACTIVITY_WORDS = {
    "goods": _("livraisons de biens"),
    "services": _("prestations de services"),
    "mixed": _("biens et services"),
}


@dataclass(frozen=True)
class Suggestion:
    code: str
    value: object
    reason: str  # why the record suggests it, in French

    @property
    def shown(self) -> str:
        return shown_answer(self.code, self.value)


def suggestions_for(client: Client, answers: Mapping[str, object]) -> dict[str, Suggestion]:
    """Suggested answers, by question code, for the questions not answered yet."""
    found: list[Suggestion] = []
    legal_form = client.legal_form.strip().lower()
    franchise = any(isinstance(tag, str) and FRANCHISE_TAG.search(tag) for tag in client.tags)
    if "association" in legal_form:
        found.append(
            Suggestion(
                "vat_liable",
                False,
                _(
                    "Association : souvent non assujettie si sa gestion est désintéressée et son "
                    "activité non lucrative — à vérifier."
                ),
            )
        )
    elif franchise:
        found.append(
            Suggestion(
                "vat_liable",
                True,
                _(
                    "Franchise en base : l'entreprise est assujettie, même si elle ne facture pas "
                    "la TVA."
                ),
            )
        )
    if franchise:
        if legal_form in SOLE_TRADER_FORMS:
            why = _("Micro-entrepreneur avec l'étiquette « franchise en base de TVA ».")
        else:
            why = _("Fiche client avec l'étiquette « franchise en base de TVA ».")
        found.append(Suggestion("vat_regime", "franchise", why))
    if FRENCH_POSTAL_CODE.match(client.postal_code.strip()) and client.city:
        found.append(
            Suggestion(
                "establishment",
                "france_hq",
                _("Siège à %(city)s (%(postal_code)s) d'après la fiche client.")
                % {"city": client.city, "postal_code": client.postal_code},
            )
        )
    found.extend(_from_naf_code(client.naf_code))
    return {
        suggestion.code: suggestion for suggestion in found if answers.get(suggestion.code) is None
    }


def activity_nature_for_naf(naf_code: str) -> str:
    """ "goods", "services" or "mixed" for a NAF code ("56.10A"), as VAT sees the activity."""
    return GROUP_ACTIVITY.get(naf_code[:4]) or (
        "goods" if naf_code[:2] in GOODS_DIVISIONS else "services"
    )


def is_exempt_activity(naf_code: str) -> bool:
    return naf_code.startswith(EXEMPT_DIVISIONS_OR_GROUPS)


def _from_naf_code(naf_code: str) -> list[Suggestion]:
    if not NAF_CODE.match(naf_code):
        return []
    label = naf_label(naf_code)
    described = _("Code NAF %(code)s") % {"code": naf_code} + (f" ({label})" if label else "")
    nature = activity_nature_for_naf(naf_code)
    found = [Suggestion("activity_nature", nature, f"{described} : {ACTIVITY_WORDS[nature]}.")]
    if is_exempt_activity(naf_code):
        found.append(
            Suggestion(
                "exempt_operations",
                "only",
                _(
                    "%(described)s : activité en principe exonérée de TVA — à vérifier s'il y a "
                    "aussi des ventes taxables."
                )
                % {"described": described},
            )
        )
    return found

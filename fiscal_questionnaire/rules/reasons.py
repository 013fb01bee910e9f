"""The reasons shown with a derivation: short French sentences, each with its legal reference.

Each reason is a plain dict: ``{"rule": stable identifier, "text": French sentence,
"reference": citation}``. The sentences and their references are data (REASONS); only what is
decided is explained, what is still open shows up in ``missing`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from fiscal_questionnaire import legal_references as legal
from fiscal_questionnaire.rules import law
from french_formats.dates import french_date
from french_formats.numbers import french_number

if TYPE_CHECKING:
    from fiscal_questionnaire.rules.derivation import Situation

REASONS: dict[str, tuple[str, tuple[legal.LegalReference, ...]]] = {
    "not_vat_liable": (
        "Non assujettie à la TVA : l'entreprise est hors du champ de la réforme.",
        (legal.VAT_LIABILITY, legal.E_INVOICING),
    ),
    "established_abroad": (
        "Sans établissement en France : ni réception ni émission de factures électroniques.",
        (legal.E_INVOICING,),
    ),
    "abroad_sells_b2c": (
        "Ventes à des particuliers en France : e-reporting de ces opérations {start}.",
        (legal.E_REPORTING_TRANSACTIONS, legal.E_INVOICING_CALENDAR),
    ),
    "abroad_no_b2c": (
        "Sans vente à des particuliers en France : rien à déclarer, hors du champ de la réforme.",
        (legal.E_REPORTING_TRANSACTIONS,),
    ),
    "reception_required": (
        "Assujettie et établie en France : réception des factures électroniques par une "
        "plateforme agréée depuis le {start}, quelle que soit sa taille.",
        (legal.E_INVOICING, legal.E_INVOICING_CALENDAR),
    ),
    "exempt_only_reception_disputed": (
        "Opérations toutes exonérées : réception retenue, car ses fournisseurs assujettis lui "
        "factureront électroniquement ; ce point est discuté, à confirmer avec le client.",
        (legal.EXEMPT_OPERATIONS, legal.E_INVOICING),
    ),
    "exempt_only_nothing_to_issue": (
        "Opérations toutes exonérées : ni émission de factures électroniques ni e-reporting.",
        (legal.EXEMPT_OPERATIONS,),
    ),
    "exempt_partly": (
        "Opérations en partie exonérées : seules les opérations taxables sont facturées "
        "électroniquement et déclarées en e-reporting.",
        (legal.EXEMPT_OPERATIONS,),
    ),
    "size_from_override": (
        "Catégorie « {category} » retenue manuellement.",
        (legal.SIZE_CATEGORY,),
    ),
    "size_from_thresholds": (
        "Catégorie « {category} » : {criteria}, pour l'entité juridique (SIREN) sur le dernier "
        "exercice clos avant le 1er janvier 2025.",
        (legal.SIZE_CATEGORY,),
    ),
    "size_undecided_same_wave": (
        "Catégorie encore incertaine ({categories}), mais le calendrier est le même pour chacune.",
        (legal.SIZE_CATEGORY, legal.E_INVOICING_CALENDAR),
    ),
    "wave_first_large_company": (
        "Grande entreprise ou ETI : émission et e-reporting dès le {start}.",
        (legal.E_INVOICING_CALENDAR,),
    ),
    "wave_first_vat_group": (
        "Membre d'un assujetti unique (groupe TVA) : émission et e-reporting dès le {start}, "
        "quelle que soit sa taille.",
        (legal.VAT_GROUP, legal.E_INVOICING_CALENDAR),
    ),
    "wave_second": (
        "PME ou microentreprise : émission et e-reporting à partir du {start} (un décret peut "
        "reporter cette date au 1er décembre 2027 au plus tard).",
        (legal.E_INVOICING_CALENDAR,),
    ),
    "issuing_required": (
        "Ventes à des entreprises assujetties établies en France : émission des factures "
        "électroniques par une plateforme agréée.",
        (legal.E_INVOICING,),
    ),
    "issuing_not_required": (
        "Pas de vente à des entreprises assujetties établies en France : pas d'émission "
        "obligatoire, mais la réception reste due.",
        (legal.E_INVOICING,),
    ),
    "transactions_reported": (
        "{operations} : e-reporting des transactions.",
        (legal.E_REPORTING_TRANSACTIONS,),
    ),
    "transactions_not_reported": (
        "Ni vente à des particuliers ni opération avec l'étranger : pas d'e-reporting des "
        "transactions.",
        (legal.E_REPORTING_TRANSACTIONS,),
    ),
    "payments_reported": (
        "Prestations de services dont la TVA est due à l'encaissement : e-reporting des "
        "paiements reçus.",
        (legal.E_REPORTING_PAYMENTS,),
    ),
    "payments_not_reported_goods": (
        "Livraisons de biens uniquement : pas d'e-reporting des paiements.",
        (legal.E_REPORTING_PAYMENTS,),
    ),
    "payments_not_reported_debits": (
        "Option pour la TVA d'après les débits : pas d'e-reporting des paiements.",
        (legal.E_REPORTING_PAYMENTS,),
    ),
    "frequency_franchise": (
        "Franchise en base : e-reporting tous les deux mois.",
        (legal.E_REPORTING_FREQUENCY, legal.FRANCHISE),
    ),
    "frequency_reel_normal_mensuel": (
        "Réel normal avec déclarations mensuelles : e-reporting trois fois par mois.",
        (legal.E_REPORTING_FREQUENCY,),
    ),
    "frequency_reel_normal_trimestriel": (
        "Réel normal avec déclarations trimestrielles : e-reporting mensuel.",
        (legal.E_REPORTING_FREQUENCY,),
    ),
    "frequency_simplified_before_2027": (
        "Réel simplifié, e-reporting commençant avant 2027 : e-reporting mensuel.",
        (legal.E_REPORTING_FREQUENCY, legal.SIMPLIFIED_REGIME),
    ),
    "frequency_simplified_then_monthly": (
        "Fin du régime simplifié au 1er janvier 2027, déclarations mensuelles ensuite : "
        "e-reporting trois fois par mois.",
        (legal.E_REPORTING_FREQUENCY, legal.SIMPLIFIED_REGIME),
    ),
    "frequency_simplified_then_quarterly": (
        "Fin du régime simplifié au 1er janvier 2027, déclarations trimestrielles ensuite : "
        "e-reporting mensuel.",
        (legal.E_REPORTING_FREQUENCY, legal.SIMPLIFIED_REGIME),
    ),
    "public_sector_chorus_pro": (
        "Clients publics : leurs factures restent déposées sur Chorus Pro.",
        (legal.PUBLIC_SECTOR,),
    ),
}

# Which calendar an e-reporting date of a company not established in France follows.
CALENDAR_BY_WAVE = {
    law.FIRST_WAVE: "calendrier des grandes entreprises et des ETI",
    law.SECOND_WAVE: "calendrier des PME et des microentreprises",
}


def reason(rule: str, **details: str) -> dict[str, str]:
    text, references = REASONS[rule]
    return {
        "rule": rule,
        "text": text.format(**details),
        "reference": legal.citation(*references),
    }


def explain(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    """The reasons for what ``result`` decides; ``answers`` are the visible ones."""
    if answers["vat_liable"] is False:
        return [reason("not_vat_liable")]
    if answers["establishment"] == "none_in_france":
        return _explain_abroad(answers, result, situation)
    return _explain_in_france(answers, result, situation)


def _explain_abroad(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    reasons = [reason("established_abroad"), *_explain_size(answers, result, situation)]
    if result["e_reporting_transactions"] is True:
        start = result["e_reporting_transactions_from"]
        if isinstance(start, str):
            day = date.fromisoformat(start)
            when = f"à partir du {french_date(day)} ({CALENDAR_BY_WAVE[day]})"
        else:
            when = "à une date qui dépend de sa taille, à préciser"
        reasons.append(reason("abroad_sells_b2c", start=when))
        reasons.extend(_explain_frequency(answers, result, situation))
    elif result["e_reporting_transactions"] is False:
        reasons.append(reason("abroad_no_b2c"))
    return reasons


def _explain_in_france(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    reasons = [reason("reception_required", start=french_date(law.RECEPTION_START))]
    exempt_operations = answers.get("exempt_operations")
    if exempt_operations == "only":
        # Size and calendar are moot: nothing is issued nor reported.
        return [
            *reasons,
            reason("exempt_only_reception_disputed"),
            reason("exempt_only_nothing_to_issue"),
            *_explain_public_sector(result),
        ]
    if exempt_operations == "partly":
        reasons.append(reason("exempt_partly"))
    reasons.extend(_explain_size_and_wave(answers, result, situation))
    if result["must_issue"] is True:
        reasons.append(reason("issuing_required"))
    elif result["must_issue"] is False:
        reasons.append(reason("issuing_not_required"))
    if result["e_reporting_transactions"] is True:
        reasons.append(reason("transactions_reported", operations=_reported_operations(answers)))
        reasons.extend(_explain_frequency(answers, result, situation))
    elif result["e_reporting_transactions"] is False:
        reasons.append(reason("transactions_not_reported"))
    if result["e_reporting_payments"] is True:
        reasons.append(reason("payments_reported"))
    elif result["e_reporting_payments"] is False:
        rule = "payments_not_reported_goods"
        if answers.get("activity_nature") != "goods":
            rule = "payments_not_reported_debits"
        reasons.append(reason(rule))
    reasons.extend(_explain_public_sector(result))
    return reasons


def _explain_size(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    reasons = []
    category = result["size_category"]
    if category is not None and answers.get("size_category_override") is not None:
        reasons.append(reason("size_from_override", category=_label(category)))
    elif category is not None:
        reasons.append(
            reason("size_from_thresholds", category=_label(category), criteria=_criteria(category))
        )
    elif situation.wave.decided:
        possible = [_label(each) for each in law.SIZE_CATEGORIES if each in situation.size.values]
        reasons.append(reason("size_undecided_same_wave", categories=" ou ".join(possible)))
    return reasons


def _explain_size_and_wave(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    reasons = _explain_size(answers, result, situation)
    dated_obligations = ("must_issue", "e_reporting_transactions", "e_reporting_payments")
    if situation.wave.decided and any(result[key] is True for key in dated_obligations):
        start = situation.wave.value
        assert isinstance(start, date)
        if start == law.SECOND_WAVE:
            reasons.append(reason("wave_second", start=french_date(start)))
        elif situation.size.values <= law.FIRST_WAVE_CATEGORIES:
            reasons.append(reason("wave_first_large_company", start=french_date(start)))
        else:
            reasons.append(reason("wave_first_vat_group", start=french_date(start)))
    return reasons


def _explain_frequency(
    answers: Mapping[str, object], result: Mapping[str, object], situation: Situation
) -> list[dict[str, str]]:
    if result["e_reporting_frequency"] is None:
        return []
    vat_regime = answers["vat_regime"]
    if vat_regime != "reel_simplifie":
        return [reason(f"frequency_{vat_regime}")]
    wave = situation.wave.value
    if isinstance(wave, date) and wave < law.SIMPLIFIED_REGIME_END:
        return [reason("frequency_simplified_before_2027")]
    if answers["vat_filing_2027"] == "monthly":
        return [reason("frequency_simplified_then_monthly")]
    return [reason("frequency_simplified_then_quarterly")]


def _explain_public_sector(result: Mapping[str, object]) -> list[dict[str, str]]:
    return [reason("public_sector_chorus_pro")] if result["chorus_pro"] is True else []


def _reported_operations(answers: Mapping[str, object]) -> str:
    operations = [
        label
        for code, label in (
            ("sells_b2c", "ventes à des particuliers"),
            ("sells_international", "ventes à des entreprises étrangères"),
            ("buys_international", "achats auprès d'entreprises étrangères"),
        )
        if answers.get(code) is True
    ]
    return ", ".join(operations).capitalize()


def _label(category: object) -> str:
    return law.SIZE_CATEGORY_LABELS[str(category)]


def _criteria(category: object) -> str:
    for ceiling in law.SIZE_CEILINGS:
        if ceiling.category == category:
            return (
                f"moins de {french_number(ceiling.staff_below)} ETP et chiffre d'affaires "
                f"≤ {_euros(ceiling.turnover_at_most)} ou total du bilan "
                f"≤ {_euros(ceiling.balance_sheet_at_most)}"
            )
    return "au-delà des seuils des entreprises de taille intermédiaire"


def _euros(amount: int) -> str:
    return f"{french_number(amount // 1_000_000)} M€"

"""The fields a client may answer through its link, defined once: their label and help, how what
was typed is read, how a value reads, the client's current value, and which existing service
applies an accepted value (the same a collaborator's own edit goes through).

Codes: ``q:<question code>`` for the fiscal questionnaire, ``software`` (the invoicing
software), ``platform`` (the approved platform chosen), ``billing_emails`` and ``signer`` (the
legal representative who signs the mandates).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartography import selectors as cartography_selectors
from cartography.models import ClientPlatform, ClientSoftware, PlatformRole, PlatformStatus
from cartography.services import equipment
from clients import services as client_services
from clients.forms import split_list
from clients.models import Client
from firms.models import Firm, User
from firms.parameters import parse_positive_int
from firms.validators import clean_mobile_number
from fiscal_questionnaire import services as questionnaire_services
from fiscal_questionnaire.answer_formats import input_text, parse_answer, shown_answer
from fiscal_questionnaire.models import Answer
from fiscal_questionnaire.questions import (
    QUESTIONS,
    QUESTIONS_BY_CODE,
    AnswerKind,
    InvalidAnswers,
    visible_questions,
)

QUESTION_PREFIX = "q:"
# A firm's decision, not the client's.
NOT_ASKED = frozenset({"size_category_override"})
QUESTION_FIELD_CODES = tuple(
    QUESTION_PREFIX + question.code for question in QUESTIONS if question.code not in NOT_ASKED
)
OTHER_FIELD_CODES = ("software", "platform", "billing_emails", "signer")
FIELD_CODES = (*QUESTION_FIELD_CODES, *OTHER_FIELD_CODES)
# The software categories a client may name as the one it invoices with.
INVOICING_CATEGORIES = ("invoicing", "erp", "accounting", "point_of_sale")
SIGNER_PARTS = ("civility", "last_name", "first_name", "email", "mobile")
CIVILITIES = tuple(Client.Civility.values)

LABELS = {
    "software": _("Avec quel logiciel établissez-vous vos factures ?"),
    "platform": _("Quelle plateforme agréée (PA) avez-vous choisie ?"),
    "billing_emails": _("À quelles adresses e-mail envoyer vos factures ?"),
    "signer": _("Qui est le représentant légal de l'entreprise ?"),
}
HELP = {
    "software": _(
        "Choisissez-le dans la liste ou écrivez son nom. S'il n'y en a pas (Word, Excel, "
        "carnet), écrivez-le simplement."
    ),
    "platform": _(
        "La plateforme qui recevra et émettra vos factures électroniques. Laissez vide si vous "
        "n'avez pas encore choisi : le cabinet vous conseillera."
    ),
    "billing_emails": _(
        "Les adresses où le cabinet envoie ses factures. Une par ligne, ou séparées par des "
        "virgules."
    ),
    "signer": _(
        "La personne qui signera le mandat confié au cabinet. Son mobile reçoit le code de "
        "signature."
    ),
}
# The short names the review shows.
REVIEW_LABELS = {
    "software": _("Logiciel de facturation"),
    "platform": _("Plateforme agréée choisie"),
    "billing_emails": _("E-mails de facturation"),
    "signer": _("Représentant légal"),
}


class FieldError(ValueError):
    """What a person typed cannot be used; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Catalogues:
    """The firm's catalogue entries a value may refer to, read once per page."""

    products: dict[int, object] = field(default_factory=dict)
    platforms: dict[int, object] = field(default_factory=dict)

    @classmethod
    def of(cls, firm: Firm | int) -> Catalogues:
        products = cartography_selectors.software_catalogue(firm).filter(
            category__in=INVOICING_CATEGORIES
        )
        return cls(
            products={product.pk: product for product in products},
            platforms={
                platform.pk: platform for platform in cartography_selectors.platform_catalogue(firm)
            },
        )


def is_question(code: str) -> bool:
    return code.startswith(QUESTION_PREFIX)


def question_of(code: str):
    return QUESTIONS_BY_CODE[code.removeprefix(QUESTION_PREFIX)]


def label(code: str) -> str:
    if is_question(code):
        return gettext(question_of(code).label)
    return str(LABELS[code])


def review_label(code: str) -> str:
    if is_question(code):
        return gettext(question_of(code).label)
    return str(REVIEW_LABELS[code])


def help_text(code: str) -> str:
    if is_question(code):
        return gettext(question_of(code).help_text)
    return str(HELP[code])


def widget_kind(code: str) -> str:
    """How the field is asked: boolean, choice, number, or the code of the other fields."""
    if not is_question(code):
        return code
    question = question_of(code)
    if question.kind is AnswerKind.BOOLEAN:
        return "boolean"
    return "choice" if question.choices else "number"


def chosen_codes(choice) -> list[str]:
    """The codes a firm's settings (``SelfServiceSettings``) ask, in order."""
    codes: list[str] = []
    if choice.questionnaire:
        codes.extend(QUESTION_FIELD_CODES)
    codes.extend(code for code in OTHER_FIELD_CODES if getattr(choice, code))
    return codes


def shown_codes(chosen: list[str], answers: Mapping[str, object]) -> list[str]:
    """The chosen codes to show, given the answers (current ones overlaid with the client's):
    questions appear as the answers make them relevant, as on the client sheet."""
    visible = {QUESTION_PREFIX + code for code in visible_questions(answers)}
    return [code for code in chosen if not is_question(code) or code in visible]


# --- Reading what was typed ----------------------------------------------------------------


def parse(code: str, data: Mapping[str, object], catalogues: Catalogues) -> object:
    """The JSON value of what was typed for a field (``None``: nothing given).

    ``data`` holds the form's fields: ``value`` for a question and the e-mails, ``product`` and
    ``name`` for the software, ``platform``, and ``civility``, ``last_name``, ``first_name``,
    ``email``, ``mobile`` for the representative. Raises ``FieldError`` in French."""
    if code not in FIELD_CODES:
        raise FieldError(gettext("Question inconnue."))
    if is_question(code):
        return _parse_question(code, _text(data.get("value"), 200))
    if code == "software":
        return _parse_software(data, catalogues)
    if code == "platform":
        return _parse_platform(data, catalogues)
    if code == "billing_emails":
        return _parse_emails(_text(data.get("value"), 2000))
    return _parse_signer(data)


def _text(raw: object, limit: int) -> str:
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = str(raw)
    text = raw if isinstance(raw, str) else ""
    return text.replace("\x00", "").strip()[:limit]


def _parse_question(code: str, raw: str) -> object:
    question = question_of(code)
    try:
        return parse_answer(question, raw)
    except InvalidAnswers as error:
        raise FieldError(gettext(next(iter(error.errors.values())))) from error


def _parse_software(data: Mapping[str, object], catalogues: Catalogues) -> object:
    raw_product = _text(data.get("product"), 20)
    name = _text(data.get("name"), 120)
    product = None
    if raw_product:
        product = parse_positive_int(raw_product)
        if product not in catalogues.products:
            raise FieldError(gettext("Ce logiciel n'est pas dans la liste."))
    if product is None and not name:
        return None
    return {"product": product, "name": "" if product else name}


def _parse_platform(data: Mapping[str, object], catalogues: Catalogues) -> object:
    raw = _text(data.get("platform"), 20)
    if not raw:
        return None
    platform = parse_positive_int(raw)
    if platform not in catalogues.platforms:
        raise FieldError(gettext("Cette plateforme n'est pas dans la liste."))
    return {"platform": platform}


def _parse_emails(raw: str) -> object:
    emails = [email.lower() for email in split_list(raw)]
    if len(emails) > 10:
        raise FieldError(gettext("Dix adresses au plus."))
    for email in emails:
        try:
            validate_email(email)
        except ValidationError as error:
            raise FieldError(
                gettext("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email}
            ) from error
    return list(dict.fromkeys(emails)) or None


def _parse_signer(data: Mapping[str, object]) -> object:
    value = {
        "civility": _text(data.get("civility"), 3),
        "last_name": _text(data.get("last_name"), 100),
        "first_name": _text(data.get("first_name"), 100),
        "email": _text(data.get("email"), 254).lower(),
        "mobile": _text(data.get("mobile"), 30),
    }
    if not any(value.values()):
        return None
    if value["civility"] not in ("", *CIVILITIES):
        raise FieldError(gettext("Choisissez M. ou Mme."))
    if value["email"]:
        try:
            validate_email(value["email"])
        except ValidationError as error:
            raise FieldError(
                gettext("« %(email)s » n'est pas une adresse e-mail valide.")
                % {"email": value["email"]}
            ) from error
    try:
        value["mobile"] = clean_mobile_number(value["mobile"])
    except ValidationError as error:
        raise FieldError(gettext(error.messages[0])) from error
    return value


# --- Reading a value -----------------------------------------------------------------------


def shown(code: str, value: object, catalogues: Catalogues) -> str:
    """A value as a person reads it ("" for none)."""
    if value is None or value == "" or value == []:
        return ""
    if is_question(code):
        return gettext(shown_answer(code.removeprefix(QUESTION_PREFIX), value))
    if code == "software":
        product = catalogues.products.get(value.get("product"))
        return product.label if product else value.get("name", "")
    if code == "platform":
        platform = catalogues.platforms.get(value.get("platform"))
        return str(platform) if platform else gettext("(plateforme retirée du catalogue)")
    if code == "billing_emails":
        return ", ".join(value)
    names = (value.get("civility"), value.get("first_name"), value.get("last_name"))
    parts = [
        " ".join(part for part in names if part),
        value.get("email", ""),
        value.get("mobile", ""),
    ]
    return " · ".join(part for part in parts if part)


def form_values(code: str, value: object) -> dict[str, str]:
    """A value put back in its form's inputs."""
    if value is None:
        return {}
    if is_question(code):
        question = question_of(code)
        if question.kind is AnswerKind.BOOLEAN:
            return {"value": "oui" if value else "non"}
        return {"value": input_text(value)}
    if code == "software":
        return {"product": str(value.get("product") or ""), "name": value.get("name", "")}
    if code == "platform":
        return {"platform": str(value.get("platform") or "")}
    if code == "billing_emails":
        return {"value": "\n".join(value)}
    return {part: value.get(part, "") for part in SIGNER_PARTS}


@dataclass
class Current:
    """A client's values of every field, read in a few queries."""

    answers: dict[str, object]
    software: list[ClientSoftware]
    platform: ClientPlatform | None
    client: Client

    @classmethod
    def of(cls, firm: Firm | int, client: Client) -> Current:
        answers = dict(
            Answer.objects.for_firm(firm).filter(client=client).values_list("code", "value")
        )
        software = list(
            ClientSoftware.objects.for_firm(firm)
            .filter(client=client, category__in=INVOICING_CATEGORIES)
            .select_related("product")
        )
        platform = (
            ClientPlatform.objects.for_firm(firm)
            .filter(client=client, role=PlatformRole.RECEPTION)
            .select_related("platform")
            .first()
        )
        return cls(answers=answers, software=software, platform=platform, client=client)

    def value(self, code: str) -> object:
        if is_question(code):
            return self.answers.get(code.removeprefix(QUESTION_PREFIX))
        if code == "software":
            return None  # several may be listed: see shown_value
        if code == "platform":
            return {"platform": self.platform.platform_id} if self.platform else None
        if code == "billing_emails":
            return list(self.client.billing_emails) or None
        value = {
            "civility": self.client.signer_civility,
            "last_name": self.client.signer_last_name,
            "first_name": self.client.signer_first_name,
            "email": self.client.signer_email,
            "mobile": self.client.signer_mobile,
        }
        return value if any(value.values()) else None

    def shown_value(self, code: str, catalogues: Catalogues) -> str:
        if code == "software":
            return ", ".join(item.label for item in self.software)
        if code == "platform":
            return str(self.platform.platform) if self.platform else ""
        return shown(code, self.value(code), catalogues)


# --- Applying an accepted value ------------------------------------------------------------


def apply(*, firm: Firm, client: Client, code: str, value: object, by: User) -> None:
    """Write an accepted value through the service a collaborator's own edit calls (answers,
    software, platform, client record): obligations, score and history follow."""
    if is_question(code):
        questionnaire_services.save_answers(
            firm=firm, client=client, values={code.removeprefix(QUESTION_PREFIX): value}, by=by
        )
    elif code == "software":
        _apply_software(firm, client, value, by)
    elif code == "platform":
        _apply_platform(firm, client, value, by)
    elif code == "billing_emails":
        client_services.update_client(
            firm=firm, client=client, data={"billing_emails": value or []}, by=by
        )
    elif code == "signer":
        value = value or {}
        client_services.update_client(
            firm=firm,
            client=client,
            data={f"signer_{part}": value.get(part, "") for part in SIGNER_PARTS},
            by=by,
        )
    else:
        raise FieldError(gettext("Question inconnue."))


def _apply_software(firm: Firm, client: Client, value: object, by: User) -> None:
    if not value:
        return
    catalogues = Catalogues.of(firm)
    product = catalogues.products.get(value.get("product"))
    label_ = product.label if product else value.get("name", "")
    current = Current.of(firm, client)
    if any(item.label.lower() == label_.lower() for item in current.software):
        return
    equipment.add_client_software(
        firm=firm,
        client=client,
        data={
            "product": product,
            "name": "" if product else value.get("name", ""),
            "category": product.category if product else "invoicing",
            "used_for_issuing": True,
        },
        by=by,
    )


def _apply_platform(firm: Firm, client: Client, value: object, by: User) -> None:
    if not value:
        return
    platform = cartography_selectors.get_platform(firm, value["platform"])
    current = {
        item.role: item for item in ClientPlatform.objects.for_firm(firm).filter(client=client)
    }
    for role in PlatformRole.values:
        if role in current and current[role].platform_id == platform.pk:
            continue
        equipment.set_client_platform(
            firm=firm,
            client=client,
            role=role,
            platform=platform,
            status=PlatformStatus.CHOSEN,
            by=by,
        )

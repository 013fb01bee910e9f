"""The API checks what it is sent with the web forms, so both say the same French messages.

A form reads text: given a JSON object it would store ``"{'a': 1}"``, given ``true`` for a name
the text ``"True"``. So a payload is turned into form data first, and a value the form could only
misread is refused there, with a message on its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import forms
from rest_framework.exceptions import ValidationError

NOT_TEXT = "Saisissez un texte ou un nombre, pas une liste, un objet ou un booléen."
NOT_A_LIST = "Saisissez une liste de textes."
NOT_A_BOOLEAN = "Saisissez true ou false."
NUMBER_NOT_TEXT = (
    "Saisissez ce texte entre guillemets : un nombre peut perdre ses zéros de tête "
    "(un SIREN, un code postal)."
)


def form_data_from_json(
    form_class: type[forms.BaseForm], payload: Mapping, *, lists: Iterable[str] = ()
) -> dict:
    """``payload``'s fields that ``form_class`` has, as the form's data; keys the form does not
    have are left out, as a form ignores them. ``lists``: fields sent as JSON lists of texts,
    which the form reads as one text, comma-separated. A 400 names each field the form could
    not read faithfully."""
    lists = set(lists)
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for name, value in payload.items():
        field = form_class.base_fields.get(name)
        if field is None:
            continue
        if value is None:
            data[name] = ""
        elif isinstance(field, forms.BooleanField):
            if not isinstance(value, bool):
                errors[name] = [NOT_A_BOOLEAN]
            data[name] = value
        elif name in lists and isinstance(value, list):
            if not all(_is_scalar(item) for item in value):
                errors[name] = [NOT_A_LIST]
            data[name] = ",".join(str(item) for item in value)
        elif isinstance(field, forms.CharField) and _is_number(value):
            # A text field takes a JSON string; a number is what its schema says it is not.
            errors[name] = [NUMBER_NOT_TEXT]
        elif _is_scalar(value):
            # A form reads text: a date field given the number 12 must say it is no date.
            data[name] = value if isinstance(value, str) else str(value)
        else:
            errors[name] = [NOT_TEXT]
    if errors:
        raise ValidationError(errors)
    return data


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: object) -> bool:
    """A value a form reads as it is meant: a text or a number (a boolean is not one here)."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def validated_data(form: forms.BaseForm) -> dict:
    """The form's cleaned data, or a 400 with its messages by field (``__all__`` for the form's
    own)."""
    if not form.is_valid():
        raise ValidationError(
            {
                field: [str(message) for message in messages]
                for field, messages in form.errors.items()
            }
        )
    return form.cleaned_data

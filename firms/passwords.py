"""The password policy beyond Django's validators: a known word dressed up with digits, symbols or
letter-for-digit swaps ("P@ssw0rd2026!", "Azerty123456") is refused as the common password it is,
offline, against the same list of 20,000 common passwords that Django's validator reads."""

from __future__ import annotations

import re
from functools import cache

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The swaps people make to pass a "use digits and symbols" rule.
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
SEPARATORS = re.compile(r"[\s\-_.]+")
# Rows of French and English keyboards, read either way.
KEYBOARD_ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn", "qwertyuiop", "asdfghjkl", "zxcvbnm")


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def core_word(password: str) -> str:
    """What is left of a password once its decoration is taken off: lower case, the digits and
    symbols around it removed, then letter-for-digit swaps undone, separators dropped."""
    lowered = password.lower().strip()
    bare = DECORATION.sub("", lowered) or lowered
    return SEPARATORS.sub("", bare.translate(LEET))


def _is_sequence(text: str) -> bool:
    if len(set(text)) <= 2:
        return True
    if text.isdigit() and text in "01234567890123456789" + "98765432109876543210":
        return True
    return any(text in row or text in row[::-1] for row in KEYBOARD_ROWS)


class DecoratedCommonPasswordValidator:
    """Refuses a common password or a keyboard run under decoration."""

    def validate(self, password: str, user: object = None) -> None:
        word = core_word(password)
        candidates = {word, DECORATION.sub("", password.lower()), password.lower()}
        plain = SEPARATORS.sub("", password.lower())
        if (
            len(word) < 4
            or _is_sequence(word)
            or _is_sequence(plain)
            or candidates & _common_passwords()
        ):
            raise ValidationError(
                _(
                    "Ce mot de passe ressemble à un mot de passe courant (un mot connu ou une "
                    "suite de touches, avec des chiffres ou des symboles autour)."
                ),
                code="password_decorated_common",
            )

    def get_help_text(self) -> str:
        return _(
            "Votre mot de passe ne peut pas être un mot courant ou une suite de touches, même "
            "habillé de chiffres ou de symboles."
        )

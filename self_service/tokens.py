"""The link's token: 256 random bits in the URL, only their SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets

# secrets.token_urlsafe(32): 32 random bytes, 43 URL-safe characters.
TOKEN_BYTES = 32
# What a token may look like in a URL; anything else is not looked up.
MAX_TOKEN_LENGTH = 64
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: object) -> bool:
    return (
        isinstance(token, str)
        and 0 < len(token) <= MAX_TOKEN_LENGTH
        and all(character in TOKEN_ALPHABET for character in token)
    )

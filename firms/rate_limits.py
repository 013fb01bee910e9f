"""How often an action may be asked for, counted in the cache (Redis in production).

Each limit is a number of attempts per key (an address, a client IP) in a fixed window.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

PASSWORD_RESET_PER_ADDRESS = 3
PASSWORD_RESET_PER_IP = 10
PASSWORD_RESET_WINDOW = 3600  # seconds


def within_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one more attempt at ``key``; false once there were more than ``limit`` of them
    since the window began (the first attempt starts it)."""
    try:
        cache.add(key, 0, timeout=window)
        try:
            attempts = cache.incr(key)
        except ValueError:  # the window ended between the two calls
            cache.set(key, 1, timeout=window)
            attempts = 1
    except Exception:  # a cache that does not answer (Redis down): the action is let through
        logger.warning("attempts at %s not counted: the cache does not answer", key, exc_info=True)
        return True
    return attempts <= limit


def password_reset_allowed(*, email: str, ip: str | None) -> bool:
    """Whether a password reset e-mail may go to this address, asked from this IP. Both
    attempts are counted either way. The address is hashed: the cache holds no e-mail."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_ip = within_limit(
        f"password-reset:ip:{ip or 'unknown'}",
        limit=PASSWORD_RESET_PER_IP,
        window=PASSWORD_RESET_WINDOW,
    )
    by_address = within_limit(
        f"password-reset:address:{address}",
        limit=PASSWORD_RESET_PER_ADDRESS,
        window=PASSWORD_RESET_WINDOW,
    )
    return by_ip and by_address

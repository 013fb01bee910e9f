"""Password reset requests are limited per address and per client IP, and the answer never
tells whether an account exists or a limit was reached."""

from __future__ import annotations

import itertools

import pytest

from firms import rate_limits
from tests import factories

pytestmark = [pytest.mark.smtp, pytest.mark.django_db]

URL = "/compte/mot-de-passe/oubli/"
DONE = "/compte/mot-de-passe/oubli/envoye/"
# The counters live in the session's Redis: each test asks from addresses of its own.
_addresses = (f"198.51.100.{n}" for n in itertools.count(1))


def ask(client, email: str, ip: str):
    return client.post(URL, {"email": email}, REMOTE_ADDR=ip)


def test_three_e_mails_per_address_per_hour_whatever_the_ip(client, smtp_inbox):
    user = factories.make_user()
    answers = [ask(client, user.email, next(_addresses)) for _ in range(5)]
    assert len(smtp_inbox.messages) == rate_limits.PASSWORD_RESET_PER_ADDRESS == 3
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {(302, DONE)}


def test_ten_requests_per_ip_per_hour_whatever_the_address(client, smtp_inbox):
    ip = next(_addresses)
    for n in range(rate_limits.PASSWORD_RESET_PER_IP):
        assert ask(client, f"nobody-{n}@example.test", ip)["Location"] == DONE
    user = factories.make_user()
    limited = ask(client, user.email, ip)
    assert (limited.status_code, limited["Location"]) == (302, DONE)
    assert smtp_inbox.messages == []
    # From elsewhere, the same person still gets the e-mail.
    ask(client, user.email, next(_addresses))
    assert [message["To"] for message in smtp_inbox.messages] == [user.email]


def test_the_neutral_page_is_the_same_for_an_unknown_address(client, smtp_inbox):
    user = factories.make_user()
    known = ask(client, user.email, next(_addresses))
    unknown = ask(client, "personne@example.test", next(_addresses))
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(smtp_inbox.messages) == 1
    page = client.get(DONE)
    assert page.status_code == 200

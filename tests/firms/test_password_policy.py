"""The password policy: 12 characters at least, and no common password or keyboard run, even
dressed up with digits, symbols and letter-for-digit swaps. Offline."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from firms.passwords import core_word


@pytest.mark.parametrize(
    ("password", "core"),
    [
        ("P@ssw0rd2026!", "password"),
        ("Azerty123456", "azerty"),
        ("--Soleil-2026!!", "soleil"),
        ("mot-de-passe", "motdepasse"),
    ],
)
def test_decoration_comes_off(password, core):
    assert core_word(password) == core


@pytest.mark.parametrize(
    "password",
    [
        "court-2026",  # too short
        "P@ssw0rd2026!",
        "Azerty123456",
        "azertyuiop12",
        "motdepasse2026",
        "Bonjour123456",
        "qsdfghjklm!!",
        "mlkjhgfdsq2026",  # a keyboard row backwards
        "aaaaaaaaaaaa",
        "123456789012",
        "1qaz2wsx3edc",
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password", ["pilote-demo-2026", "un-nouveau-mot-de-passe", "correct horse battery staple"]
)
def test_long_uncommon_passwords_pass(password):
    validate_password(password)


def test_the_refusal_is_explained_in_french():
    with pytest.raises(ValidationError) as refused:
        validate_password("P@ssw0rd2026!")
    assert any("mot de passe courant" in message for message in refused.value.messages)


@pytest.mark.django_db
def test_an_idle_session_ends_and_returns_to_the_page_after_login(client, firm_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(firm_a.supervisor.user)
    page = f"/f/{firm_a.firm.slug}/clients/"
    assert client.get(page).status_code == 200

    session = client.session
    session["last_activity"] -= 601
    session.save()
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=")
    assert client.get(page).status_code == 302  # logged out for good
    login_page = client.get(response["Location"]).content.decode()
    assert "après 10 minutes d&#x27;inactivité" in login_page


@pytest.mark.django_db
def test_an_idle_htmx_request_sends_the_whole_page_to_login(client, firm_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(firm_a.supervisor.user)
    page = f"/f/{firm_a.firm.slug}/clients/"
    client.get(page)
    session = client.session
    session["last_activity"] -= 601
    session.save()
    response = client.get(page, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/compte/connexion/?next=")


@pytest.mark.django_db
def test_activity_keeps_a_session_alive(client, firm_a, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(firm_a.supervisor.user)
    page = f"/f/{firm_a.firm.slug}/clients/"
    client.get(page)
    session = client.session
    session["last_activity"] -= 599
    session.save()
    assert client.get(page).status_code == 200
    assert client.get(page).status_code == 200

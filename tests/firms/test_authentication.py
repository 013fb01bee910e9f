"""Logging in, brute-force lockout, password reset by e-mail, the firm switcher."""

from __future__ import annotations

import re

import pytest

from tests import factories


def test_login_with_email_and_password_lands_in_the_firm(client, firm_a):
    """A collaborator, for whom the second factor is optional and who has none."""
    response = client.post(
        "/compte/connexion/",
        {"username": firm_a.collaborator.user.email.upper(), "password": factories.PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/f/{firm_a.firm.slug}/clients/"


def test_a_wrong_password_says_so_in_french(client, firm_a):
    response = client.post(
        "/compte/connexion/", {"username": firm_a.admin.user.email, "password": "nope"}
    )
    assert response.status_code == 200
    assert "mot de passe incorrect" in response.content.decode()


def test_five_failures_lock_the_account_for_that_address(client, firm_a):
    email = firm_a.admin.user.email
    for _ in range(5):
        client.post("/compte/connexion/", {"username": email, "password": "wrong-password"})
    response = client.post(
        "/compte/connexion/", {"username": email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    # Another account from the same address is not locked.
    other = client.post(
        "/compte/connexion/",
        {"username": firm_a.supervisor.user.email, "password": factories.PASSWORD},
    )
    assert other.status_code == 302


@pytest.mark.smtp
def test_password_reset_goes_through_smtp_and_the_link_works(client, firm_a, smtp_inbox):
    user = firm_a.collaborator.user
    client.post("/compte/mot-de-passe/oubli/", {"email": user.email})
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == user.email
    assert (
        "réinitialisation" in str(message.get("Subject")).lower()
        or "=?utf-8?" in message["Subject"]
    )
    body = message.get_payload()[0].get_payload(decode=True).decode()
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "un-nouveau-mot-de-passe", "new_password2": "un-nouveau-mot-de-passe"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("un-nouveau-mot-de-passe")


def test_the_firm_chooser_lists_each_firm_of_the_user(client, firm_a, firm_b):
    factories.make_member(firm_b.firm, user=firm_a.admin.user)
    client.force_login(firm_a.admin.user)
    page = client.get("/").content.decode()
    assert firm_a.firm.name in page and firm_b.firm.name in page
    inside = client.get(f"/f/{firm_b.firm.slug}/clients/").content.decode()
    assert f'href="/f/{firm_a.firm.slug}/"' in inside  # the switcher offers the other firm


def test_a_user_with_one_firm_goes_straight_in(client, firm_a):
    client.force_login(firm_a.collaborator.user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == f"/f/{firm_a.firm.slug}/"


def test_a_deactivated_membership_loses_access(client, firm_a):
    membership = firm_a.collaborator
    from firms.tenancy import firm_scope

    with firm_scope(firm_a.firm):
        type(membership).objects.for_firm(firm_a.firm).filter(pk=membership.pk).update(
            is_active=False
        )
    client.force_login(membership.user)
    assert client.get(f"/f/{firm_a.firm.slug}/clients/").status_code == 404


def test_french_by_default_whatever_the_browser_says(client):
    page = client.get("/compte/connexion/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Se connecter" in page.content.decode()
    assert page["Content-Language"] == "fr"


def test_english_once_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/compte/connexion/"})
    page = client.get("/compte/connexion/").content.decode()
    assert "Log in" in page and "Forgot your password?" in page


def test_each_language_is_named_in_itself_and_the_page_says_its_language(client, firm_a):
    client.force_login(firm_a.admin.user)
    french = client.get(f"/f/{firm_a.firm.slug}/clients/").content.decode()
    assert '<html lang="fr">' in french
    assert ">Français</span>" in french and ">English</button>" in french
    assert "Anglais" not in french
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/f/{firm_a.firm.slug}/clients/").content.decode()
    assert '<html lang="en">' in english
    assert ">Français</button>" in english and ">English</span>" in english

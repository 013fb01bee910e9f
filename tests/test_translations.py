"""The English interface: the main pages rendered in English show no French word left, and the
catalogues are complete (every English entry translated, every plural known to French)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from cartography import services as cartography_services
from clients.models import HistoryEntry
from clients.naf import naf_label
from firms.models import Role
from firms.tenancy import firm_scope
from fiscal_questionnaire import legal_references
from fiscal_questionnaire import services as questionnaire_services
from fiscal_questionnaire.models import Obligations
from scoring.engine import CRITERIA_BY_CODE
from scoring.engine.criteria import Section
from scoring.models import ClientScore
from tests import factories

LOCALE = Path(settings.LOCALE_PATHS[0])

# Frequent words of French interface text that English never uses (nor our English wording).
# "client", "date", "version", "questionnaire", "obligations"… are English too, and "non" begins
# English compounds ("non-liable"): they are left out.
FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "du",
        "une",
        "un",
        "au",
        "aux",
        "et",
        "est",
        "sont",
        "ou",
        "où",
        "pour",
        "avec",
        "dans",
        "sur",
        "sans",
        "par",
        "pas",
        "plus",
        "de",
        "ce",
        "cet",
        "cette",
        "ces",
        "qui",
        "que",
        "quoi",
        "dont",
        "leur",
        "leurs",
        "son",
        "sa",
        "ses",
        "vos",
        "votre",
        "vous",
        "nous",
        "mon",
        "ma",
        "mes",
        "aucun",
        "aucune",
        "tout",
        "toute",
        "tous",
        "toutes",
        "oui",
        "rien",
        "déjà",
        "encore",
        "ici",
        "être",
        "été",
        "avoir",
        "fait",
        "enregistrer",
        "enregistré",
        "enregistrée",
        "annuler",
        "modifier",
        "ajouter",
        "retirer",
        "supprimer",
        "rechercher",
        "filtrer",
        "effacer",
        "importer",
        "exporter",
        "télécharger",
        "confirmer",
        "valider",
        "fermer",
        "choisir",
        "choisissez",
        "fiche",
        "dossier",
        "dossiers",
        "cabinet",
        "cabinets",
        "collaborateur",
        "collaborateurs",
        "superviseur",
        "administrateur",
        "paramètres",
        "travaux",
        "jeton",
        "jetons",
        "facture",
        "factures",
        "logiciel",
        "logiciels",
        "plateforme",
        "plateformes",
        "agréée",
        "agréées",
        "urgence",
        "conformité",
        "réforme",
        "cartographie",
        "fiscalité",
        "historique",
        "synthèse",
        "mandats",
        "rapports",
        "réception",
        "émission",
        "obligatoire",
        "réponse",
        "réponses",
        "entreprise",
        "société",
        "étiquette",
        "étiquettes",
        "ligne",
        "envoyer",
        "utilisateur",
        "utilisateurs",
        "connecter",
        "accueil",
        "voir",
        "afficher",
        "lire",
        "imprimer",
        "appliquer",
        "restaurer",
        "archiver",
        "fusionner",
        "attribuer",
        "actualiser",
        "changer",
        "garder",
        "indiquez",
        "demander",
        "inviter",
        "rejoindre",
        "révoquer",
        "jours",
        "lien",
        "nom",
        "adresse",
        "ville",
        "bonjour",
        "merci",
        "chiffres",
        "clés",
        "tableau",
        "bord",
        "suivi",
        "statut",
        "tâche",
        "personne",
        "aide",
        "lignes",
        "fichier",
        "colonnes",
        "mois",
        "semaine",
        "jamais",
        "aujourd'hui",
        "suivant",
        "précédent",
        "première",
        "dernière",
        "nouveau",
        "nouvelle",
        "membres",
        "rôle",
        "accès",
        "mot",
        "passe",
        "connexion",
    ]
)
ACCENTED = re.compile(r"[àâäçéèêëîïôöûùüÿœæ]", re.IGNORECASE)
# l'entreprise, d'émission, n'est, qu'une: French elisions at the start of a word.
ELISION = re.compile(r"(?<![\w])(?:l|d|n|qu|j|c|s)['’](?=[a-zà-ÿ])", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def french_words(text: str) -> list[str]:
    """The words of ``text`` that are French: known French words, accented words, elisions."""
    found = []
    for word in WORD.findall(text):
        lowered = word.lower()
        if lowered in FRENCH_WORDS or ACCENTED.search(word) or ELISION.match(word):
            found.append(word)
    return found


class VisibleText(HTMLParser):
    """The text a user reads (or hears): text nodes outside scripts and styles, and the
    attributes shown or spoken (titles, labels, placeholders, confirmations, button values)."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt", "data-confirm", "hx-confirm"}
    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden_depth = 0
        self.hidden_tags: list[str] = []
        self.language = "en"

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.language = attributes.get("lang") or self.language
        # Hidden: scripts and styles, and what is written in another language than the page's
        # on purpose (the language switch names each language in itself: « Français »).
        language = attributes.get("lang", self.language)
        if tag in self.HIDDEN or (tag != "html" and language != self.language):
            self.hidden_tags.append(tag)
            self.hidden_depth += 1
            return
        if self.hidden_depth:
            return
        for name, value in attributes.items():
            if value and name in self.SPOKEN:
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self.hidden_tags and tag == self.hidden_tags[-1]:
            self.hidden_tags.pop()
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def french_left(html: str, data: list[str]) -> list[str]:
    """The visible texts of a page that still hold French, once the given data are removed:
    a text that is a data value (a label or a short answer of the history, followed or not by
    its colon), or the data values of at least four characters within a text."""
    whole = {value.casefold() for value in data}
    inside = [value for value in data if len(value) >= 4]
    offending = []
    for text in visible_texts(html):
        if text.strip(" :").casefold() in whole:
            continue
        for value in inside:
            text = text.replace(value, " ")
        if french_words(text):
            offending.append(text)
    return offending


# --- The detector itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Aucun client ne correspond à ces critères.",
        "Enregistrer",
        "Les dossiers qui vous sont confiés.",
        "Vérification avant import",
        "L'import continue",
        "Nouveau client",
        "Dernière revue : jamais",
    ],
)
def test_the_detector_finds_french(sentence):
    assert french_words(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "No client matches these criteria.",
        "Save",
        "The clients entrusted to you.",
        "Check before import",
        "The import goes on: you can leave this page, it's fine.",
        "New client · SIREN 552 100 554 · Version 2 · E-reporting · Chorus Pro",
        "Is the company liable for VAT? A non-profit association, for example, is not.",
    ],
)
def test_the_detector_passes_english(sentence):
    assert french_words(sentence) == []


def test_the_detector_reads_attributes_and_skips_scripts():
    html = (
        '<p title="Fermer">Close</p><input type="submit" value="Envoyer">'
        "<script>var le = 'Aucun';</script><button aria-label='Menu utilisateur'>≡</button>"
    )
    assert french_left(html, data=[]) == ["Fermer", "Envoyer", "Menu utilisateur"]


# --- The catalogues ------------------------------------------------------------------------


def test_every_english_entry_is_translated():
    catalogue = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue if not entry.translated()]
    assert missing == [], "untranslated or fuzzy in the English catalogue:\n" + "\n".join(missing)


def test_every_plural_is_in_the_french_catalogue():
    """French counts 0 as singular only through its own catalogue: without the entry, Django
    falls back to the English rule and writes « 0 clients ». ``update_catalogues`` fills it."""
    english = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    french = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / "django.po"))
    french_plurals = {
        (entry.msgid, entry.msgid_plural): entry.msgstr_plural
        for entry in french
        if entry.msgid_plural
    }
    for entry in english:
        if entry.msgid_plural:
            key = (entry.msgid, entry.msgid_plural)
            assert key in french_plurals, f"missing from the French catalogue: {entry.msgid}"
            assert french_plurals[key] == {0: entry.msgid, 1: entry.msgid_plural}
    assert all(entry.msgid_plural for entry in french), "the French catalogue is plural-only"
    assert french.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"


# --- The pages in English ------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def portfolio(firm_a):
    """A client with answers, obligations, software, a platform and history, named in no
    language, and the data shown as they are (names, legal reasons, scoring labels)."""
    firm, admin = firm_a.firm, firm_a.admin.user
    company = factories.make_client(
        firm,
        company_name="Zorblax Quuxworks",
        city="Xyzzyville",
        naf_code="62.01Z",
        legal_form="SAS",
        assigned_to=firm_a.collaborator.user,
        tags=["zorblax"],
    )
    with firm_scope(firm):
        questionnaire_services.save_answers(
            firm=firm,
            client=company,
            values={
                "vat_liable": True,
                "establishment": "france_hq",
                "employees": 12,
                "turnover_eur": 1_500_000,
            },
            by=admin,
        )
        product = cartography_services.add_software_product(
            firm=firm, data={"name": "Quuxledger", "category": "accounting"}, by=admin
        )
        cartography_services.add_client_software(
            firm=firm,
            client=company,
            data={"product": product, "category": "accounting", "used_for_receiving": True},
            by=admin,
        )
        platform = cartography_services.add_platform(firm=firm, data={"name": "Flurbnet"}, by=admin)
        cartography_services.set_client_platform(
            firm=firm,
            client=company,
            role="reception",
            platform=platform,
            status="chosen",
            by=admin,
        )
        obligations = Obligations.objects.for_firm(firm).get(client=company)
        history = list(HistoryEntry.objects.for_firm(firm).filter(client=company))
        score = ClientScore.objects.for_firm(firm).get(client=company)
    data = [firm.name, company.company_name, naf_label(company.naf_code) or ""]
    for membership in (
        firm_a.admin,
        firm_a.supervisor,
        firm_a.collaborator,
        firm_a.other_collaborator,
    ):
        data += [membership.user.full_name, membership.user.email]
    for reason in obligations.reasons:
        data += [reason.get("text", ""), reason.get("reference", "")]
    data += [
        value
        for name, value in vars(legal_references).items()
        if isinstance(value, str) and not name.startswith("_")
    ]
    # The scoring engine words its criteria, sections and breakdown in French, as data.
    data += [section.value for section in Section]
    for spec in CRITERIA_BY_CODE.values():
        data += [spec.label, spec.unit or "", *(answer.label for answer in spec.answers)]
    data += strings_in(score.breakdown)
    # The history is recorded in French when it happens: it is data too.
    for entry in history:
        data += [entry.summary, *strings_in(entry.changes)]
    # Longest first, so that a value is not cut by one of its parts.
    kept = {value.strip() for value in data if re.search(r"[^\W\d_]", value)}
    return company, sorted(kept, key=len, reverse=True)


def strings_in(value) -> list[str]:
    """Every string of a JSON value, however nested."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in strings_in(item)]
    return []


def main_pages(firm, company) -> list[str]:
    slug = firm.slug
    pages = [
        reverse("home"),  # the firm list: the administrator is in two firms
        reverse("firm_home", args=[slug]),
        reverse("client_list", args=[slug]),
        reverse("client_create", args=[slug]),
        reverse("client_import", args=[slug]),
        reverse("portfolio_dashboard", args=[slug]),
        reverse("job_list", args=[slug]),
        reverse("firm_settings", args=[slug]),
        reverse("firm_members", args=[slug]),
        reverse("api_tokens", args=[slug]),
        reverse("catalogue_software", args=[slug]),
        reverse("catalogue_platforms", args=[slug]),
        reverse("scoring_grid", args=[slug]),
        reverse("export_settings", args=[slug]),
    ]
    for tab in (
        "client_detail",
        "client_edit",
        "client_fiscal",
        "client_cartography",
        "client_obligations",
        "client_mandates",
        "client_reports",
        "client_invoices",
        "client_history",
        "client_archive",
    ):
        pages.append(reverse(tab, args=[slug, company.pk]))
    return pages


def test_the_main_pages_have_no_french_left_in_english(english, firm_a, firm_b, portfolio):
    company, data = portfolio
    factories.make_member(firm_b.firm, Role.ADMIN, user=firm_a.admin.user)
    data.append(firm_b.firm.name)
    english.force_login(firm_a.admin.user)
    problems = []
    for url in main_pages(firm_a.firm, company):
        response = english.get(url, follow=True)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        problems += [f"{url}: {text}" for text in french_left(html, data)]
    assert problems == [], "French left on the English pages:\n" + "\n".join(problems)


def test_the_login_page_has_no_french_left_in_english(english, db):
    html = english.get(reverse("login")).content.decode()
    assert french_left(html, data=[]) == []


def test_the_pages_stay_french_by_default(client, firm_a, portfolio):
    company, data = portfolio
    client.force_login(firm_a.admin.user)
    html = client.get(reverse("client_detail", args=[firm_a.firm.slug, company.pk])).content
    assert "Dernières modifications" in html.decode()
    # The same page in French is what the detector is there to catch.
    assert len(french_left(html.decode(), data)) > 10

"""Realistic French small businesses for the demo and the benchmarks: pure generators, no ORM.

Every company is coherent with itself: the activity (NAF code) decides the kind of name and the
legal forms it may take, the city decides the postal code and the phone area. Identifiers are
valid: the SIREN (company number) and the SIRET (SIREN + NIC, the number of one establishment)
carry their Luhn check digits, and the intra-EU VAT number is derived from the SIREN.

Phone numbers come from the ranges ARCEP reserves for fiction, so a demo never rings a real line.
A given seed always gives the same companies.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from stdnum import luhn
from stdnum.fr import siren as siren_numbers

# Values of ``Client.Delivery``; kept as plain strings so this module needs no Django.
DELIVERY_EMAIL = "email"
DELIVERY_PAPER = "paper"
DELIVERY_EMAIL_REFUSED = "email_refused"

REVIEW_WINDOW_DAYS = 426  # about 14 months


@dataclass(slots=True)
class DemoCompany:
    """One company, with the fields of ``clients.models.Client`` that describe it."""

    company_name: str
    siren: str
    siret: str
    naf_code: str
    legal_form: str
    address: str
    postal_code: str
    city: str
    vat_number: str
    fiscal_year_end: str
    contact_name: str
    contact_email: str
    contact_phone: str
    billing_emails: list[str] = field(default_factory=list)
    # The legal representative who signs the mandates; a few have no mobile number.
    signer_civility: str = ""
    signer_last_name: str = ""
    signer_first_name: str = ""
    signer_email: str = ""
    signer_mobile: str = ""
    invoice_delivery: str = DELIVERY_EMAIL
    tags: list[str] = field(default_factory=list)
    last_reviewed_at: datetime | None = None


# --- Identifiers -------------------------------------------------------------------------------


def luhn_check_digit(payload: str) -> str:
    """The digit that, appended to ``payload``, makes the whole number pass the Luhn check."""
    return luhn.calc_check_digit(payload)


def vat_number_for_siren(siren: str) -> str:
    """French intra-EU VAT number: FR, a two-digit key computed from the SIREN, the SIREN."""
    return "FR" + siren_numbers.to_tva(siren)


def _new_siren(rng: random.Random, taken: set[str]) -> str:
    while True:
        # Eight digits starting with 3 to 9, like the SIRENs INSEE has handed out for decades.
        body = str(rng.randrange(30_000_000, 100_000_000))
        siren = body + luhn_check_digit(body)
        # 356 000 000 is La Poste, whose establishments follow another checksum rule.
        if siren not in taken and body != "35600000":
            taken.add(siren)
            return siren


def _head_office_siret(rng: random.Random, siren: str) -> str:
    # The NIC (establishment number) of a head office is small: 00010, 00027, 00035...
    payload = siren + f"{rng.randint(1, 40):04d}"
    return payload + luhn_check_digit(payload)


# --- Word lists --------------------------------------------------------------------------------

LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
    "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément",
    "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis",
    "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
    "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard",
    "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger",
    "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Guillaume", "Lecomte", "Lopez",
    "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin",
    "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
    "Adam", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Collet", "Léger", "Bouvier",
    "Julien", "Prévost", "Millet", "Perrot", "Cousin", "Germain", "Breton", "Besson", "Langlois",
    "Rémy", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber",
    "Mallet", "Hamon", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet", "Étienne",
    "Tessier", "Chauvin", "Bouchet", "Lemaître", "Maréchal", "Humbert", "Reynaud", "Antoine",
    "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy", "Delaunay",
    "Pasquier", "Carlier", "Laporte", "Le Gall", "Le Goff", "Le Roux", "Da Silva",
)  # fmt: skip

FIRST_NAMES = (
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Christophe", "Patrick",
    "Stéphane", "Laurent", "Frédéric", "Julien", "Sébastien", "David", "Olivier", "Éric", "Thomas",
    "Antoine", "Maxime", "Alexandre", "Romain", "Guillaume", "Vincent", "Mathieu", "Benoît",
    "Hugo", "Lucas", "Louis", "Paul", "Arthur", "Jean-Pierre", "Jean-Luc", "François", "Yannick",
    "Damien", "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sophie", "Valérie",
    "Christine", "Sandrine", "Céline", "Stéphanie", "Émilie", "Julie", "Camille", "Laura", "Manon",
    "Chloé", "Léa", "Aurélie", "Caroline", "Hélène", "Anne", "Claire", "Élodie", "Audrey",
    "Virginie", "Karine", "Florence", "Agnès", "Pauline", "Charlotte", "Inès", "Sarah", "Mélanie",
    "Delphine", "Marie-Claire",
)  # fmt: skip

FEMALE_FIRST_NAMES = frozenset(FIRST_NAMES[FIRST_NAMES.index("Marie") :])

TOWN_PLACES = (
    "du Parc", "des Tilleuls", "de la Gare", "du Centre", "des Halles", "du Marché", "de la Place",
    "du Port", "des Lilas", "du Château", "de l'Église", "des Arcades", "du Lac", "des Remparts",
    "du Moulin", "de la Fontaine", "des Platanes", "du Vieux Pont", "de la Mairie", "du Cours",
    "des Quais", "de la Poste", "du Théâtre", "de la Cathédrale", "des Forges",
)  # fmt: skip
COUNTRY_PLACES = (
    "des Trois Chênes", "du Bois Joli", "de la Grange Neuve", "des Prés Verts", "du Haut Chemin",
    "de la Vallée", "des Coteaux", "du Petit Bois", "des Sources", "de la Croix Blanche",
    "du Val Fleuri", "des Genêts", "de la Belle Étoile", "du Grand Pré", "des Bruyères",
)  # fmt: skip
# The names families give to a building held through an SCI (société civile immobilière).
HOUSE_NAMES = (
    "Les Tilleuls", "Les Chênes", "Les Érables", "Les Peupliers", "Les Acacias", "Les Marronniers",
    "Les Cèdres", "Les Oliviers", "Les Charmilles", "Les Glycines", "Les Hortensias",
    "Les Magnolias", "Le Clos Fleuri", "La Roseraie", "Le Verger",
)  # fmt: skip

STREETS = (
    "rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo", "rue Pasteur",
    "place de la Mairie", "rue du Général Leclerc", "avenue de la Libération", "rue Nationale",
    "rue des Écoles", "chemin des Vignes", "allée des Tilleuls", "impasse des Lilas",
    "rue Gambetta", "rue Voltaire", "avenue Foch", "rue Carnot", "rue du Moulin", "rue de Verdun",
    "boulevard de la Liberté", "rue Jules Ferry", "rue de l'Église", "place du Marché",
    "rue du Maréchal Foch", "avenue du Général de Gaulle", "rue Émile Zola", "quai des Bateliers",
    "rue des Jardins", "rue Saint-Martin", "rue de la Paix", "cours Gambetta",
)  # fmt: skip
BUSINESS_PARK_STREETS = (
    "rue de l'Industrie", "rue des Artisans", "rue Denis Papin", "avenue de l'Europe",
    "rue Gustave Eiffel", "rue Ampère", "allée des Métiers", "rue de la Forge",
)  # fmt: skip
BUSINESS_PARKS = (
    "ZA du Moulin", "ZI des Bruyères", "ZA des Grands Champs", "parc d'activités des Portes",
    "ZA de la Croix Blanche", "ZI Nord",
)  # fmt: skip

# (city, its postal codes, weight): large cities have one code per district.
_CITIES = (
    ("Paris", " ".join(f"750{n:02d}" for n in range(1, 21)), 40),
    ("Lyon", " ".join(f"6900{n}" for n in range(1, 10)), 14),
    ("Marseille", " ".join(f"130{n:02d}" for n in range(1, 17)), 12),
    ("Toulouse", "31000 31100 31200 31300 31400 31500", 9), ("Nice", "06000 06100 06200 06300", 6),
    ("Nantes", "44000 44100 44200 44300", 6), ("Strasbourg", "67000 67100 67200", 5),
    ("Montpellier", "34000 34070 34080 34090", 5), ("Bordeaux", "33000 33100 33200 33300 33800", 6),
    ("Lille", "59000 59800", 5), ("Rennes", "35000 35200 35700", 4), ("Reims", "51100", 3),
    ("Le Havre", "76600", 3), ("Saint-Étienne", "42000 42100", 3),
    ("Toulon", "83000 83100 83200", 3), ("Grenoble", "38000 38100", 3), ("Dijon", "21000", 3),
    ("Angers", "49000 49100", 3), ("Nîmes", "30000 30900", 2), ("Villeurbanne", "69100", 2),
    ("Clermont-Ferrand", "63000 63100", 3), ("Le Mans", "72000 72100", 2),
    ("Aix-en-Provence", "13090 13100", 3), ("Brest", "29200", 2), ("Tours", "37000 37100 37200", 2),
    ("Amiens", "80000 80080 80090", 2), ("Limoges", "87000 87100", 2), ("Annecy", "74000", 2),
    ("Perpignan", "66000 66100", 2), ("Boulogne-Billancourt", "92100", 2),
    ("Metz", "57000 57050 57070", 2), ("Besançon", "25000", 2), ("Orléans", "45000 45100", 2),
    ("Rouen", "76000 76100", 2), ("Mulhouse", "68100 68200", 2), ("Caen", "14000", 2),
    ("Nancy", "54000 54100", 2), ("Argenteuil", "95100", 1), ("Montreuil", "93100", 1),
    ("Roubaix", "59100", 1), ("Tourcoing", "59200", 1), ("Avignon", "84000", 2),
    ("Nanterre", "92000", 1), ("Créteil", "94000", 1), ("Poitiers", "86000", 2),
    ("Versailles", "78000", 2), ("Pau", "64000", 2), ("La Rochelle", "17000", 2),
    ("Calais", "62100", 1), ("Cannes", "06150 06400", 2), ("Colmar", "68000", 1),
    ("Quimper", "29000", 1), ("Valence", "26000", 1), ("Troyes", "10000", 1),
    ("Chambéry", "73000", 1), ("Niort", "79000", 1), ("Lorient", "56100", 1),
    ("Vannes", "56000", 1), ("Saint-Malo", "35400", 1), ("Bayonne", "64100", 1),
    ("Biarritz", "64200", 1), ("Ajaccio", "20000", 1), ("Bastia", "20200", 1),
    ("Arras", "62000", 1), ("Dunkerque", "59140", 1), ("Saint-Nazaire", "44600", 1),
    ("Angoulême", "16000", 1), ("Béziers", "34500", 1), ("Carcassonne", "11000", 1),
    ("Albi", "81000", 1), ("Montauban", "82000", 1), ("Agen", "47000", 1),
    ("Périgueux", "24000", 1), ("Bourges", "18000", 1), ("Brive-la-Gaillarde", "19100", 1),
    ("Blois", "41000", 1), ("Chartres", "28000", 1), ("Évreux", "27000", 1),
    ("Beauvais", "60000", 1), ("Compiègne", "60200", 1), ("Laval", "53000", 1),
    ("Saint-Quentin", "02100", 1), ("Cholet", "49300", 1), ("La Roche-sur-Yon", "85000", 1),
    ("Auxerre", "89000", 1), ("Mâcon", "71000", 1), ("Chalon-sur-Saône", "71100", 1),
    ("Nevers", "58000", 1), ("Vichy", "03200", 1), ("Montluçon", "03100", 1),
    ("Aurillac", "15000", 1), ("Rodez", "12000", 1), ("Le Puy-en-Velay", "43000", 1),
    ("Cahors", "46000", 1), ("Tarbes", "65000", 1), ("Dax", "40100", 1),
    ("Mont-de-Marsan", "40000", 1), ("Arcachon", "33120", 1), ("Libourne", "33500", 1),
    ("Cognac", "16100", 1), ("Saintes", "17100", 1), ("Vienne", "38200", 1),
    ("Bourg-en-Bresse", "01000", 1), ("Annemasse", "74100", 1), ("Thonon-les-Bains", "74200", 1),
    ("Gap", "05000", 1), ("Fréjus", "83600", 1), ("Antibes", "06600", 1), ("Menton", "06500", 1),
    ("Arles", "13200", 1), ("Aubagne", "13400", 1), ("Salon-de-Provence", "13300", 1),
    ("Sète", "34200", 1), ("Narbonne", "11100", 1), ("Épinal", "88000", 1),
    ("Thionville", "57100", 1), ("Charleville-Mézières", "08000", 1), ("Épernay", "51200", 1),
    ("Belfort", "90000", 1), ("Haguenau", "67500", 1), ("Saint-Brieuc", "22000", 1),
    ("Alençon", "61000", 1), ("Cherbourg-en-Cotentin", "50100", 1), ("Lisieux", "14100", 1),
    ("Dieppe", "76200", 1), ("Honfleur", "14600", 1), ("Châteauroux", "36000", 1),
    ("Castres", "81100", 1), ("Millau", "12100", 1), ("Montélimar", "26200", 1),
    ("Roanne", "42300", 1), ("Villefranche-sur-Saône", "69400", 1),
    ("Neuilly-sur-Seine", "92200", 1), ("Levallois-Perret", "92300", 1),
    ("Issy-les-Moulineaux", "92130", 1), ("Saint-Denis", "93200", 1), ("Vincennes", "94300", 1),
    ("Saint-Maur-des-Fossés", "94100", 1), ("Saint-Germain-en-Laye", "78100", 1),
    ("Meaux", "77100", 1), ("Melun", "77000", 1), ("Fontainebleau", "77300", 1),
    ("Évry-Courcouronnes", "91000", 1), ("Cergy", "95000", 1),
)  # fmt: skip
CITIES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (name, tuple(codes.split())) for name, codes, _ in _CITIES
)
_CITY_DRAW = tuple(
    city for city, (_, _, weight) in zip(CITIES, _CITIES, strict=True) for _ in range(weight)
)

# Geographic phone numbers start with the area of the department: 01 Île-de-France, 02 north-west,
# 03 north-east, 04 south-east, 05 south-west. Each area has a block reserved for fiction.
_PHONE_AREA_DEPARTMENTS = {
    "1": "75 77 78 91 92 93 94 95",
    "2": "14 18 22 27 28 29 35 36 37 41 44 45 49 50 53 56 61 72 76 85",
    "3": "02 08 10 21 25 39 51 52 54 55 57 58 59 60 62 67 68 70 71 80 88 89 90",
    "5": "09 12 16 17 19 23 24 31 32 33 40 46 47 64 65 79 81 82 86 87",
}
_AREA_OF_DEPARTMENT = {
    department: area
    for area, departments in _PHONE_AREA_DEPARTMENTS.items()
    for department in departments.split()
}
_FICTION_BLOCKS = {"1": "99 00", "2": "61 91", "3": "53 01", "4": "65 71", "5": "36 49"}
_FICTION_MOBILE = "06 39 98"

WEBMAIL_DOMAINS = (
    "orange.fr", "wanadoo.fr", "gmail.com", "free.fr", "sfr.fr", "laposte.net", "outlook.fr",
    "hotmail.fr", "yahoo.fr",
)  # fmt: skip
BILLING_MAILBOXES = (
    "compta",
    "comptabilite",
    "facturation",
    "factures",
    "administratif",
    "gestion",
)

EXTRA_TAGS = (
    ("prioritaire", 0.08),
    ("nouveau client", 0.07),
    ("à relancer", 0.05),
    ("export", 0.03),
)
FISCAL_YEAR_ENDS = ("31/12",) * 76 + ("30/06",) * 9 + ("31/03",) * 7 + ("30/09",) * 8
DELIVERIES = (DELIVERY_EMAIL,) * 82 + (DELIVERY_PAPER,) * 12 + (DELIVERY_EMAIL_REFUSED,) * 6


# --- Activities and legal forms ----------------------------------------------------------------


def _weighted(spec: str) -> tuple[str, ...]:
    """'SARL:3,EI:1' -> ('SARL', 'SARL', 'SARL', 'EI'): a tuple to draw from with choice()."""
    drawn: list[str] = []
    for part in spec.split(","):
        name, weight = part.rsplit(":", 1)
        drawn += [name] * int(weight)
    return tuple(drawn)


ASSOCIATION = "association loi 1901"
LEGAL_FORMS = {
    "trade": _weighted("SARL:30,SAS:15,SASU:15,EURL:15,EI:15,micro-entreprise:10"),
    "building": _weighted("SARL:35,SAS:10,SASU:15,EURL:15,EI:15,micro-entreprise:10"),
    "small": _weighted("micro-entreprise:40,EI:25,SASU:15,EURL:10,SARL:10"),
    "company": _weighted("SAS:40,SARL:30,SA:10,SASU:10,EURL:10"),
    "consulting": _weighted("SASU:35,SAS:20,EURL:15,SARL:10,EI:10,micro-entreprise:10"),
    "pharmacy": _weighted("SELARL:40,SELAS:20,SNC:20,EI:20"),
    "medical": _weighted("EI:55,SELARL:20,SCM:15,SCP:5,SELAS:5"),
    "dental": _weighted("SELARL:40,EI:35,SCM:15,SCP:10"),
    "paramedical": _weighted("EI:65,SCM:20,SELARL:10,micro-entreprise:5"),
    "law": _weighted("EI:30,SELARL:35,SCP:15,SELAS:20"),
    "architect": _weighted("EI:35,SARL:25,EURL:15,SAS:15,micro-entreprise:10"),
    "property": _weighted("SCI:100"),
    "agency": _weighted("SARL:40,SAS:30,SASU:15,EURL:15"),
    "farm": _weighted("EARL:40,GAEC:20,SCEA:15,EI:25"),
    "vineyard": _weighted("EARL:30,SCEA:35,SAS:10,EI:25"),
    "association": (ASSOCIATION,),
    "care": _weighted(f"{ASSOCIATION}:35,SARL:25,SAS:25,EI:15"),
    "nursery": _weighted(f"{ASSOCIATION}:45,SAS:35,SARL:20"),
    "holding": _weighted("SAS:50,SARL:30,SASU:20"),
}
# Civil and farming companies put their form before the name ("SCI Les Tilleuls").
PREFIXED_FORMS = frozenset({"SCI", "SCM", "EARL", "GAEC", "SCEA"})
# Commercial companies sometimes show it after the name ("Transports Lefèvre SARL").
SUFFIXED_FORMS = frozenset({"SARL", "SAS", "SASU", "EURL", "SA", "SNC", "SELARL", "SELAS", "SCP"})
SOLE_TRADER_FORMS = frozenset({"EI", "micro-entreprise"})
# Those rarely have a domain name of their own: the contact writes from a personal mailbox.
WEBMAIL_FORMS = SOLE_TRADER_FORMS | (PREFIXED_FORMS - {"SCM"}) | {ASSOCIATION}
# Companies subject to corporate income tax (impôt sur les sociétés, IS); the others are taxed
# through their owners' income tax, in the category of their activity (BIC, BNC, BA).
CORPORATE_TAX_FORMS = frozenset({"SARL", "SAS", "SASU", "EURL", "SA", "SELARL", "SELAS"})


@dataclass(frozen=True, slots=True)
class Activity:
    naf_code: str
    weight: int
    names: tuple[str, ...]
    forms: str  # key of LEGAL_FORMS
    # Income category of the owners: BIC (commercial), BNC (professional), BA (farming),
    # revenus fonciers (rents); empty for associations.
    tax_category: str
    business_park: bool = False  # usually set up in a business park (zone d'activités)


def _activity(code: str, weight: int, forms: str, tax: str, park: bool, names: str) -> Activity:
    """A row of the table below; ``names`` are templates separated by ' | '."""
    return Activity(code, weight, tuple(names.split(" | ")), forms, tax, park)


# fmt: off
ACTIVITIES = (
    _activity("01.11Z", 2, "farm", "BA", False, "{nom} | {campagne} | Ferme {campagne}"
        " | Exploitation {nom}"),
    _activity("01.13Z", 1, "farm", "BA", False, "Maraîchage {nom} | Les Jardins {campagne}"
        " | {nom} Primeurs"),
    _activity("01.21Z", 2, "vineyard", "BA", False, "Domaine {nom} | Domaine {campagne}"
        " | Vignobles {nom} | Château {nom}"),
    _activity("01.41Z", 1, "farm", "BA", False, "{campagne} | Ferme {campagne} | {nom} et Fils"),
    _activity("10.71C", 5, "trade", "BIC", False, "Boulangerie {nom} | Boulangerie {lieu}"
        " | Au Fournil {lieu} | Maison {nom} | Boulangerie-Pâtisserie {nom}"),
    _activity("10.71D", 2, "trade", "BIC", False, "Pâtisserie {nom} | Les Délices {lieu}"
        " | Maison {nom}"),
    _activity("11.02B", 1, "vineyard", "BA", False, "Domaine {nom} | Cave {campagne}"
        " | Les Vins {nom}"),
    _activity("16.23Z", 1, "company", "BIC", True, "Ateliers {nom} | {nom} Charpentes"
        " | Menuiserie industrielle {nom}"),
    _activity("25.62B", 1, "company", "BIC", True, "{nom} Mécanique"
        " | Mécanique de précision {nom} | Usinage {nom}"),
    _activity("41.20A", 1, "building", "BIC", True, "Maisons {nom} | Les Maisons de {ville}"
        " | {nom} Construction"),
    _activity("41.20B", 1, "building", "BIC", True, "{nom} Construction | Bâtiment {nom}"
        " | {nom} & {nom2} Bâtiment"),
    _activity("43.12A", 1, "building", "BIC", True, "Terrassement {nom} | TP {nom}"
        " | {nom} Terrassement"),
    _activity("43.21A", 3, "building", "BIC", True, "Électricité {nom} | {nom} Électricité"
        " | {nom} Élec | Électricité Générale {nom}"),
    _activity("43.22A", 3, "building", "BIC", True, "Plomberie {nom} | {nom} Plomberie"
        " | Plomberie Sanitaire {nom}"),
    _activity("43.22B", 2, "building", "BIC", True, "{nom} Chauffage"
        " | Chauffage Climatisation {nom} | {nom} Énergies"),
    _activity("43.29A", 1, "building", "BIC", True, "{nom} Isolation | Isolation {nom}"),
    _activity("43.31Z", 1, "building", "BIC", True, "Plâtrerie {nom} | {nom} Plâtrerie Isolation"),
    _activity("43.32A", 2, "building", "BIC", True, "Menuiserie {nom} | {nom} Menuiserie"
        " | Menuiserie {nom} & Fils"),
    _activity("43.32B", 1, "building", "BIC", True, "Serrurerie {nom} | Métallerie {nom}"),
    _activity("43.33Z", 1, "building", "BIC", True, "Carrelage {nom} | {nom} Revêtements"),
    _activity("43.34Z", 2, "building", "BIC", False, "Peinture {nom} | {nom} Peinture Décoration"
        " | {nom} Déco"),
    _activity("43.91A", 1, "building", "BIC", True, "Charpente {nom} | {nom} Charpente"),
    _activity("43.91B", 1, "building", "BIC", True, "Couverture {nom} | {nom} Toitures"),
    _activity("43.99C", 3, "building", "BIC", True, "Maçonnerie {nom} | {nom} Maçonnerie"
        " | {nom} Bâtiment | {nom} & Fils"),
    _activity("45.11Z", 1, "trade", "BIC", True, "Automobiles {nom} | {nom} Automobiles"
        " | Garage {nom} & Fils"),
    _activity("45.20A", 4, "trade", "BIC", True, "Garage {nom} | Garage {nom} & Fils"
        " | Garage {lieu} | Carrosserie {nom} | Auto Service {nom}"),
    _activity("46.90Z", 1, "company", "BIC", True, "{nom} Distribution | Comptoir {nom}"
        " | {nom} Négoce"),
    _activity("47.11B", 1, "small", "BIC", False, "Épicerie {lieu} | Alimentation {nom}"
        " | Épicerie {nom}"),
    _activity("47.21Z", 1, "small", "BIC", False, "Primeurs {nom} | Au Panier {lieu}"),
    _activity("47.22Z", 2, "trade", "BIC", False, "Boucherie {nom} | Boucherie {lieu}"
        " | Boucherie-Charcuterie {nom}"),
    _activity("47.23Z", 1, "trade", "BIC", False, "Poissonnerie {nom} | La Marée {lieu}"),
    _activity("47.24Z", 1, "trade", "BIC", False, "Chocolaterie {nom} | Confiserie {lieu}"),
    _activity("47.25Z", 1, "trade", "BIC", False, "Cave {nom} | La Cave {lieu}"
        " | Vins et Spiritueux {nom}"),
    _activity("47.26Z", 2, "small", "BIC", False, "Tabac {lieu} | Tabac-Presse {lieu}"
        " | Le Balto {lieu}"),
    _activity("47.29Z", 1, "trade", "BIC", False, "Fromagerie {nom} | Épicerie fine {nom}"
        " | La Fromagerie {lieu}"),
    _activity("47.59A", 1, "trade", "BIC", True, "Meubles {nom} | Ameublement {nom}"),
    _activity("47.61Z", 1, "trade", "BIC", False, "Librairie {lieu} | Librairie {nom}"),
    _activity("47.64Z", 1, "trade", "BIC", False, "{nom} Sports | Sport {lieu}"),
    _activity("47.71Z", 2, "trade", "BIC", False, "Boutique {prenom} | {prenom} Prêt-à-porter"
        " | Mode {lieu}"),
    _activity("47.72A", 1, "trade", "BIC", False, "Chaussures {nom} | Chausseur {lieu}"),
    _activity("47.73Z", 2, "pharmacy", "BIC", False, "Pharmacie {lieu} | Pharmacie {nom}"
        " | Grande Pharmacie {lieu}"),
    _activity("47.75Z", 1, "trade", "BIC", False, "Parfumerie {lieu} | Parfumerie {nom}"),
    _activity("47.76Z", 1, "small", "BIC", False, "Fleurs {lieu} | Au Jardin de {prenom}"
        " | {prenom} Fleurs"),
    _activity("47.77Z", 1, "trade", "BIC", False, "Bijouterie {nom} | Horlogerie-Bijouterie {nom}"),
    _activity("47.78A", 1, "trade", "BIC", False, "Optique {nom} | {nom} Optique | Optique {lieu}"),
    _activity("47.81Z", 1, "small", "BIC", False, "{nom} Fruits et Légumes"
        " | Les Saveurs du Marché"),
    _activity("47.91B", 1, "small", "BIC", False, "Atelier {prenom} | {prenom} & Co"
        " | {nom} Créations"),
    _activity("49.32Z", 2, "small", "BIC", False, "Taxi {nom} | Taxi {ville} | Allo Taxi {ville}"),
    _activity("49.41A", 2, "building", "BIC", True, "Transports {nom} | Transports {nom} & Fils"
        " | {nom} Transports"),
    _activity("49.41B", 1, "building", "BIC", True, "Transports {nom} | {nom} Logistique"
        " | {nom} Express"),
    _activity("49.42Z", 1, "trade", "BIC", True, "Déménagements {nom} | {nom} Déménagement"),
    _activity("55.10Z", 2, "trade", "BIC", False, "Hôtel {lieu} | Hôtel {nom}"
        " | Grand Hôtel {lieu}"),
    _activity("55.20Z", 1, "small", "BIC", False, "Gîtes {campagne} | Chambres d'hôtes {campagne}"),
    _activity("55.30Z", 1, "trade", "BIC", False, "Camping {campagne} | Camping {lieu}"),
    _activity("56.10A", 6, "trade", "BIC", False, "Restaurant {lieu} | Le Bistrot {lieu}"
        " | Brasserie {lieu} | Chez {prenom} | L'Auberge {campagne} | La Table de {prenom}"
        " | Crêperie {lieu}"),
    _activity("56.10C", 3, "small", "BIC", False, "Pizzeria {lieu} | {prenom} Burger"
        " | Snack {lieu} | Le Food Truck de {prenom}"),
    _activity("56.21Z", 1, "trade", "BIC", False, "Traiteur {nom} | {nom} Traiteur"
        " | Saveurs {lieu}"),
    _activity("56.30Z", 3, "trade", "BIC", False, "Café {lieu} | Bar {lieu} | Bar-Tabac {lieu}"
        " | Le Café {lieu}"),
    _activity("62.01Z", 2, "consulting", "BNC", False, "{nom} Informatique | {nom} Digital"
        " | Studio {prenom} | {nom} Développement"),
    _activity("62.02A", 1, "consulting", "BNC", False, "{nom} Conseil | {nom} Consulting"
        " | {nom} & {nom2} Informatique"),
    _activity("64.20Z", 2, "holding", "", False, "Holding {nom} | {nom} Participations"
        " | {nom} Invest | Financière {nom}"),
    _activity("66.22Z", 1, "consulting", "BNC", False, "Cabinet {nom} Assurances | {nom} Courtage"),
    _activity("68.20A", 6, "property", "revenus fonciers", False, "{maison} | {nom}"
        " | {nom} Patrimoine | {campagne} | {nom} {prenom}"),
    _activity("68.20B", 3, "property", "revenus fonciers", False, "{nom} Immobilier | {maison}"
        " | {nom} & {nom2}"),
    _activity("68.31Z", 2, "agency", "BIC", False, "Agence {lieu} | {nom} Immobilier"
        " | Immobilière de {ville}"),
    _activity("68.32A", 1, "agency", "BIC", False, "Cabinet {nom} Gestion | Syndic {nom}"
        " | {nom} Gestion Immobilière"),
    _activity("69.10Z", 2, "law", "BNC", False, "Cabinet {nom} | {nom} & {nom2} Avocats"
        " | {nom} Avocats | Étude {nom}"),
    _activity("70.21Z", 1, "consulting", "BNC", False, "{nom} Communication | Agence {prenom}"),
    _activity("70.22Z", 3, "consulting", "BNC", False, "{nom} Conseil | {nom} Consulting"
        " | {prenom} {nom} Conseil | Cabinet {nom} Conseil"),
    _activity("71.11Z", 2, "architect", "BNC", False, "Atelier d'architecture {nom}"
        " | {nom} Architecte | {nom} & {nom2} Architectes"),
    _activity("71.12B", 2, "consulting", "BNC", False, "Bureau d'études {nom} | {nom} Ingénierie"
        " | BET {nom}"),
    _activity("74.10Z", 1, "small", "BNC", False, "Studio {prenom} {nom} | {prenom} Design"
        " | Atelier {prenom}"),
    _activity("74.20Z", 1, "small", "BNC", False, "Studio Photo {nom}"
        " | {prenom} {nom} Photographie"),
    _activity("74.30Z", 1, "small", "BNC", False, "{prenom} {nom} Traductions"
        " | Traductions {ville}"),
    _activity("75.00Z", 1, "medical", "BNC", False, "Clinique vétérinaire {lieu}"
        " | Cabinet vétérinaire {nom}"),
    _activity("77.11A", 1, "trade", "BIC", True, "{nom} Location | Location {ville}"),
    _activity("81.21Z", 2, "trade", "BIC", False, "{nom} Propreté | Nettoyage {nom}"
        " | {ville} Nettoyage Services"),
    _activity("81.30Z", 2, "small", "BIC", False, "Jardins {nom} | {nom} Paysages"
        " | Les Jardins de {prenom}"),
    _activity("85.51Z", 1, "small", "BNC", False, "Studio Yoga {lieu} | {prenom} Coaching"
        " | École de danse {prenom}"),
    _activity("85.53Z", 1, "trade", "BIC", False, "Auto-école {lieu} | Auto-école {nom}"
        " | École de conduite {ville}"),
    _activity("85.59A", 1, "consulting", "BNC", False, "{nom} Formation | Institut {nom}"),
    _activity("86.21Z", 3, "medical", "BNC", False, "Docteur {prenom} {nom}"
        " | Cabinet médical {lieu} | Maison médicale {lieu}"),
    _activity("86.22C", 1, "medical", "BNC", False, "Docteur {prenom} {nom}"
        " | Cabinet de cardiologie {lieu} | Cabinet de dermatologie {lieu}"),
    _activity("86.23Z", 2, "dental", "BNC", False, "Cabinet dentaire {lieu}"
        " | Docteur {prenom} {nom} | Cabinet dentaire {nom}"),
    _activity("86.90A", 1, "trade", "BIC", False, "Ambulances {nom} | Ambulances {ville}"),
    _activity("86.90D", 2, "paramedical", "BNC", False, "Cabinet infirmier {lieu}"
        " | Cabinet infirmier {nom}"),
    _activity("86.90E", 2, "paramedical", "BNC", False, "Cabinet de kinésithérapie {lieu}"
        " | Kinésithérapie {nom} | Cabinet de podologie {nom}"),
    _activity("86.90F", 1, "paramedical", "BNC", False, "Cabinet d'ostéopathie {lieu}"
        " | Ostéopathe {nom}"),
    _activity("88.10A", 1, "care", "BIC", False, "{ville} Services à Domicile"
        " | Aide et Services {nom} | Présence {ville}"),
    _activity("88.91A", 1, "nursery", "BIC", False, "Micro-crèche Les Petits Loups"
        " | Crèche {lieu} | Micro-crèche {maison}"),
    _activity("90.01Z", 1, "association", "", False, "Compagnie {prenom} {nom} | Théâtre {lieu}"
        " | Compagnie des Embruns"),
    _activity("93.12Z", 2, "association", "", False, "Association sportive de {ville}"
        " | {ville} Football Club | Tennis Club de {ville} | Judo Club de {ville}"),
    _activity("93.13Z", 1, "trade", "BIC", False, "{prenom} Fitness | Salle de sport {lieu}"
        " | Forme {lieu}"),
    _activity("94.99Z", 2, "association", "", False, "Comité des fêtes de {ville}"
        " | Les Amis de {ville} | Association des commerçants {lieu}"),
    _activity("95.23Z", 1, "small", "BIC", False, "Cordonnerie {lieu} | Cordonnerie {nom}"),
    _activity("96.01B", 1, "small", "BIC", False, "Pressing {lieu} | Laverie {lieu}"),
    _activity("96.02A", 4, "small", "BIC", False, "Salon {prenom} | {prenom} Coiffure"
        " | Coiffure {lieu} | L'Atelier de {prenom}"),
    _activity("96.02B", 2, "small", "BIC", False, "Institut {prenom} | Institut de beauté {lieu}"
        " | Les Secrets de {prenom}"),
    _activity("96.04Z", 1, "small", "BIC", False, "Spa {lieu} | Bien-être {lieu}"),
    _activity("96.09Z", 1, "small", "BIC", False, "Toilettage {prenom} | {prenom} Toilettage"),
)
# fmt: on
_ACTIVITY_DRAW = tuple(activity for activity in ACTIVITIES for _ in range(activity.weight))


# --- Generation --------------------------------------------------------------------------------


@cache
def _ascii_slug(text: str) -> str:
    """'Garage Moreau & Fils' -> 'garage-moreau-fils': for e-mail addresses and domains."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = "".join(char if char.isalnum() else " " for char in plain).split()
    return "-".join(words)


def _domain_for(company_name: str, rng: random.Random) -> str:
    slug = _ascii_slug(company_name)
    if len(slug) > 30:
        slug = slug[:30].rsplit("-", 1)[0]
    return slug + (".fr" if rng.random() < 0.85 else ".com")


def _phone(rng: random.Random, postal_code: str) -> str:
    line = f"{rng.randrange(100):02d} {rng.randrange(100):02d}"
    if rng.random() < 0.5:
        return f"{_FICTION_MOBILE} {line}"
    area = _AREA_OF_DEPARTMENT.get(postal_code[:2], "4")
    return f"0{area} {_FICTION_BLOCKS[area]} {line}"


def _address(rng: random.Random, activity: Activity, postal_code: str) -> str:
    number = str(rng.randint(1, 150))
    if rng.random() < 0.07:
        number += " bis"
    if not activity.business_park or rng.random() < 0.4:
        return f"{number} {rng.choice(STREETS)}"
    address = f"{number} {rng.choice(BUSINESS_PARK_STREETS)}"
    if not postal_code.startswith("75"):  # no business parks inside Paris
        address += f", {rng.choice(BUSINESS_PARKS)}"
    return address


_BEFORE_VOWEL = re.compile(r"\bde (?=[AEIOUYÂÉÈÊÎÔ]|H[uéo])")


def _elide(name: str) -> str:
    """French elision after templates: 'Les Amis de Évry' -> 'Les Amis d'Évry',
    'Immobilière de Le Havre' -> 'Immobilière du Havre'."""
    name = name.replace(" de Le ", " du ").replace(" de Les ", " des ")
    return _BEFORE_VOWEL.sub("d'", name)


def _company_name(
    rng: random.Random, activity: Activity, form: str, owner: tuple[str, str], city: str
) -> str:
    first_name, last_name = owner
    if form in SOLE_TRADER_FORMS and rng.random() < 0.3:
        # The register shows a sole trader as SURNAME First name.
        name = f"{last_name.upper()} {first_name}"
    else:
        name = rng.choice(activity.names).format(
            nom=last_name,
            nom2=rng.choice(LAST_NAMES),
            prenom=first_name,
            ville=city,
            lieu=rng.choice(TOWN_PLACES),
            campagne=rng.choice(COUNTRY_PLACES),
            maison=rng.choice(HOUSE_NAMES),
        )
    name = _elide(name)
    if form in PREFIXED_FORMS:
        return f"{form} {name}"
    if form in SUFFIXED_FORMS and rng.random() < 0.3:
        return f"{name} {form}"
    if form in SOLE_TRADER_FORMS and rng.random() < 0.25:
        return f"{name} EI"
    return name


def _person_email(rng: random.Random, first_name: str, last_name: str, domain: str) -> str:
    local = f"{_ascii_slug(first_name)}.{_ascii_slug(last_name).replace('-', '')}"
    if domain in WEBMAIL_DOMAINS and rng.random() < 0.4:
        local += str(rng.randint(1, 99))
    return f"{local}@{domain}"


def _tags(rng: random.Random, activity: Activity, form: str, vat_exempt: bool) -> list[str]:
    tags = []
    if form in CORPORATE_TAX_FORMS:
        tags.append("IS")
    elif activity.tax_category:
        tags.append(activity.tax_category)
    if vat_exempt:
        tags.append("franchise en base de TVA")
    tags += [tag for tag, probability in EXTRA_TAGS if rng.random() < probability]
    return tags


def _company(rng: random.Random, taken_sirens: set[str], now: datetime) -> DemoCompany:
    activity = rng.choice(_ACTIVITY_DRAW)
    form = rng.choice(LEGAL_FORMS[activity.forms])
    city, postal_codes = rng.choice(_CITY_DRAW)
    postal_code = rng.choice(postal_codes)
    owner = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
    company_name = _company_name(rng, activity, form, owner, city)

    siren = _new_siren(rng, taken_sirens)
    # Small sole traders under the VAT exemption threshold (franchise en base), associations and
    # most SCIs renting out homes have no VAT number.
    vat_exempt = form == "micro-entreprise" and rng.random() < 0.7
    has_vat_number = (
        not vat_exempt and form != ASSOCIATION and not (form == "SCI" and rng.random() < 0.8)
    )

    # The owner is usually the contact (and the one who signs the mandate); a sole trader always.
    contact = owner
    if form not in SOLE_TRADER_FORMS and rng.random() < 0.3:
        contact = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
    billing_count = rng.choice((0, 0, 0, 0, 1, 1, 1, 1, 1, 2))
    if form in WEBMAIL_FORMS or rng.random() < 0.3:
        contact_email = _person_email(rng, *contact, rng.choice(WEBMAIL_DOMAINS))
        # Someone else at home keeps the books: a spouse, a parent.
        relatives = {
            _person_email(rng, rng.choice(FIRST_NAMES), contact[1], rng.choice(WEBMAIL_DOMAINS))
            for _ in range(billing_count)
        }
        billing_emails = sorted(relatives - {contact_email})
    else:
        domain = _domain_for(company_name.removesuffix(f" {form}"), rng)
        if rng.random() < 0.65:
            contact_email = _person_email(rng, *contact, domain)
        else:
            contact_email = f"contact@{domain}"
        mailboxes = rng.sample(BILLING_MAILBOXES, billing_count)
        billing_emails = [f"{mailbox}@{domain}" for mailbox in mailboxes]

    last_reviewed_at = None
    if rng.random() < 0.85:
        day = now - timedelta(days=rng.randint(1, REVIEW_WINDOW_DAYS))
        last_reviewed_at = day.replace(
            hour=rng.randint(8, 18), minute=rng.randrange(60), second=0, microsecond=0
        )

    return DemoCompany(
        company_name=company_name,
        siren=siren,
        siret=_head_office_siret(rng, siren),
        naf_code=activity.naf_code,
        legal_form=form,
        address=_address(rng, activity, postal_code),
        postal_code=postal_code,
        city=city,
        vat_number=vat_number_for_siren(siren) if has_vat_number else "",
        fiscal_year_end=rng.choice(FISCAL_YEAR_ENDS),
        contact_name=f"{contact[0]} {contact[1]}",
        contact_email=contact_email,
        contact_phone=_phone(rng, postal_code),
        billing_emails=billing_emails,
        invoice_delivery=rng.choice(DELIVERIES),
        tags=_tags(rng, activity, form, vat_exempt),
        last_reviewed_at=last_reviewed_at,
        # Drawn from its own generator, so that the companies stay those of earlier seeds.
        **_signer(random.Random(siren), owner, contact, contact_email),
    )


def _signer(
    rng: random.Random, owner: tuple[str, str], contact: tuple[str, str], contact_email: str
) -> dict[str, str]:
    """The owner signs: most have an e-mail and a mobile (06 39 98 …, the range kept for
    fiction); one in ten has no mobile on record, one in twenty is not filled in at all."""
    draw = rng.random()
    if draw < 0.05:
        return {}
    first_name, last_name = owner
    email = contact_email if owner == contact else _person_email(rng, *owner, "gmail.com")
    return {
        "signer_civility": "Mme" if first_name in FEMALE_FIRST_NAMES else "M.",
        "signer_last_name": last_name,
        "signer_first_name": first_name,
        "signer_email": email,
        "signer_mobile": "" if draw < 0.15 else f"+33639980{rng.randrange(1000):03d}",
    }


def iter_companies(
    count: int, *, seed: int, now: datetime, taken_sirens: Collection[str] = ()
) -> Iterator[DemoCompany]:
    """Yield ``count`` companies, the same ones for the same seed and ``now``.

    SIRENs are unique among the companies yielded and never one of ``taken_sirens`` (the firm's
    existing clients). ``now`` anchors the last-review dates, spread over the 14 months before it.
    """
    rng = random.Random(seed)
    taken = set(taken_sirens)
    for _ in range(count):
        yield _company(rng, taken, now)


def generate_companies(
    count: int, *, seed: int, now: datetime, taken_sirens: Collection[str] = ()
) -> list[DemoCompany]:
    """The list form of :func:`iter_companies`."""
    return list(iter_companies(count, seed=seed, now=now, taken_sirens=taken_sirens))

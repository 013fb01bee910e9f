"""Update the translation catalogues from the code: one command for the developer.

French is the source language: its catalogue holds only the plural entries, each filled with its
own msgid and msgid_plural, so that French counts 0 and 1 as singular (without an entry, Django
falls back to the English rule, where 0 is plural). The English catalogue holds every string.
"""

import contextlib
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LOCALES = ["fr", "en"]
IGNORED = [".venv", "tests", "bench", "var", "node_modules"]
FRENCH_PLURAL_FORMS = "nplurals=2; plural=(n > 1);"
FRENCH_HEADER = (
    "French is the source language of Pilote FE: only the plural forms are filled in,\n"
    "so that French counts 0 and 1 as singular (Django's fallback counts them the English way)."
)


def french_catalogue_path() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "fr" / "LC_MESSAGES" / "django.po"


def keep_french_plurals(catalogue: polib.POFile) -> None:
    """Keep only the plural entries, each translated by its own French wording."""
    plurals = [entry for entry in catalogue if entry.msgid_plural and not entry.obsolete]
    for entry in list(catalogue):
        catalogue.remove(entry)
    for entry in plurals:
        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        catalogue.append(entry)
    catalogue.header = FRENCH_HEADER
    catalogue.metadata["Language"] = "fr"
    catalogue.metadata["Plural-Forms"] = FRENCH_PLURAL_FORMS


class Command(BaseCommand):
    help = (
        "Run makemessages for French and English, then keep only the plural entries of the "
        "French catalogue, filled with their own wording. Translate the new English entries next."
    )

    def handle(self, *args, **options) -> None:
        with contextlib.chdir(settings.BASE_DIR):
            call_command(
                "makemessages",
                locale=LOCALES,
                ignore_patterns=IGNORED,
                no_obsolete=True,
                verbosity=options["verbosity"],
            )
        path = french_catalogue_path()
        catalogue = polib.pofile(str(path), wrapwidth=79)
        keep_french_plurals(catalogue)
        catalogue.save(str(path))
        english = polib.pofile(str(path.parent.parent.parent / "en" / "LC_MESSAGES" / "django.po"))
        untranslated = [entry for entry in english if not entry.translated() and not entry.obsolete]
        self.stdout.write(
            f"French catalogue: {len(catalogue)} plural entries. "
            f"English catalogue: {len(untranslated)} entries to translate."
        )

"""Derive the obligations of a batch of questionnaires, for tests and the firm's data checks.

    python manage.py derive_obligations FILE      (FILE "-" reads standard input)

FILE holds a JSON list of {"id": "...", "answers": {code: value}}; the command prints a JSON list
of {"id": ..., "result": {...}} (REGULATION.md §3). Anything wrong (malformed JSON, a malformed
item, an unknown code, a wrong type or value) exits with status 2, names the item and the code on
standard error and prints nothing on standard output: the whole batch is checked before any
result is printed, so a data check never reads half an answer.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fiscal_questionnaire.questions import validate_answers
from fiscal_questionnaire.rules import derive_obligations

INVALID_INPUT = 2
ITEM_KEYS = frozenset({"id", "answers"})


class Command(BaseCommand):
    help = (
        "Déduit les obligations de facturation électronique de questionnaires fiscaux "
        "(liste JSON de {id, answers}) et les écrit en JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier JSON à lire, ou « - » pour l'entrée standard.")

    def handle(self, *args, **options):
        items = parse_batch(read_input(options["file"]))
        results = [
            {"id": item_id, "result": derive_obligations(answers)} for item_id, answers in items
        ]
        self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))


def read_input(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.read()
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            f"Lecture impossible de {file} : {error}", returncode=INVALID_INPUT
        ) from error


def parse_batch(text: str) -> list[tuple[str, Mapping[str, object]]]:
    """The (id, answers) pairs of a batch; CommandError listing every problem if any."""
    try:
        batch = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"JSON invalide (ligne {error.lineno}, colonne {error.colno}) : {error.msg}",
            returncode=INVALID_INPUT,
        ) from error
    if not isinstance(batch, list):
        raise CommandError(
            'Une liste JSON de {"id": ..., "answers": {...}} est attendue.',
            returncode=INVALID_INPUT,
        )
    problems: list[str] = []
    items = []
    for position, item in enumerate(batch, start=1):
        item_problems = _item_problems(position, item)
        if item_problems:
            problems.extend(item_problems)
        else:
            items.append((item["id"], item["answers"]))
    if problems:
        raise CommandError("\n".join(problems), returncode=INVALID_INPUT)
    return items


def _item_problems(position: int, item: object) -> list[str]:
    if not isinstance(item, dict):
        return [f'Élément n° {position} : un objet {{"id", "answers"}} est attendu.']
    item_id = item.get("id")
    name = f"Élément « {item_id} »" if isinstance(item_id, str) else f"Élément n° {position}"
    problems = []
    if not isinstance(item_id, str):
        problems.append(f"Élément n° {position} : « id » doit être une chaîne de caractères.")
    unexpected = sorted(set(item) - ITEM_KEYS)
    if unexpected:
        problems.append(f"{name} : clés inattendues {', '.join(unexpected)}.")
    answers = item.get("answers")
    if not isinstance(answers, dict):
        problems.append(f"{name} : « answers » doit être un objet {{code: réponse}}.")
        return problems
    problems.extend(
        f"{name}, question {code} : {message}"
        for code, message in validate_answers(answers).items()
    )
    return problems

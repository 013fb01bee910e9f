"""python manage.py person_data --firm SLUG [--name NAME] [--email EMAIL]
[--erase --confirm NAME]: prints, as JSON, every place the person appears in the firm's data
(the same export as the web page's), or erases or anonymises them and prints what went and
what a legal duty keeps. Exit status 2 on an unknown firm, a bad name or e-mail, or a
confirmation that does not repeat the name (or the e-mail without a name)."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from firms.command_arguments import BAD_INPUT, active_firm
from firms.tenancy import firm_scope
from privacy.person_actions import PersonRefused, erase_person, export_person
from privacy.persons import parse_query


class Command(BaseCommand):
    help = "Export, or erase and anonymise, a natural person's data in a firm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--firm", required=True, help="The firm's slug.")
        parser.add_argument("--name", default="", help="The person's name.")
        parser.add_argument("--email", default="", help="The person's e-mail address.")
        parser.add_argument("--erase", action="store_true", help="Erase or anonymise them.")
        parser.add_argument("--confirm", default="", help="The name (or e-mail) again.")

    def handle(self, *args, firm: str, name: str, email: str, erase: bool, confirm: str, **_):
        target = active_firm(firm)
        try:
            query = parse_query(name, email)
        except ValidationError as error:
            messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            raise CommandError(messages, returncode=BAD_INPUT) from error
        with firm_scope(target):
            if not erase:
                output = export_person(firm=target, query=query, by=None)
            else:
                try:
                    result = erase_person(firm=target, query=query, confirmation=confirm, by=None)
                except PersonRefused as refusal:
                    raise CommandError(str(refusal), returncode=BAD_INPUT) from refusal
                output = {
                    "rows": result.action.rows,
                    "files": result.action.files_deleted,
                    "retained": [
                        {
                            "table": o.table,
                            "id": o.object_id,
                            "description": o.description,
                            "reference": str(o.retention.duty.reference),
                            "until": o.retention.until,
                        }
                        for o in result.retained
                    ],
                }
        self.stdout.write(json.dumps(output, cls=DjangoJSONEncoder, ensure_ascii=False))

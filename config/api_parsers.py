"""The API's request bodies: a JSON object, or a form.

Every write of the API takes named fields, so a body that is valid JSON but not an object (a
list, a string, a number, null) is refused here with a message, before a view reads it.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NOT_AN_OBJECT = 'Le corps de la requête doit être un objet JSON : {"champ": valeur, …}.'
NOT_JSON = "Le corps de la requête n'est pas du JSON valide."


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as error:
            # DRF's message is English ("JSON parse error - Expecting value: …").
            raise ParseError(NOT_JSON) from error
        if not isinstance(data, dict):
            raise ParseError(NOT_AN_OBJECT)
        return data

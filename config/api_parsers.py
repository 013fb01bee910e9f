"""The API's request bodies: a JSON object, or a form.

Every write of the API takes named fields, so a body that is valid JSON but not an object (a
list, a string, a number, null) is refused here with a message, before a view reads it.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

NOT_AN_OBJECT = 'Le corps de la requête doit être un objet JSON : {"champ": valeur, …}.'


class JSONObjectParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(NOT_AN_OBJECT)
        return data

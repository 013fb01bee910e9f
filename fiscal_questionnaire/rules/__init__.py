"""The pure rules engine of the fiscal questionnaire: answers in, obligations out.

No database, no I/O: a change of law is a change of data in ``law.py`` or
``fiscal_questionnaire/legal_references.py`` and of the tests.

- ``law``: dates, size thresholds, frequencies and the rules for a fully known company;
- ``possibilities``: how partly answered questionnaires are reasoned about;
- ``derivation``: ``derive_obligations``;
- ``reasons``: the French sentences and legal references that explain a result.
"""

from fiscal_questionnaire.questions import InvalidAnswers, validate_answers
from fiscal_questionnaire.rules.derivation import RESULT_KEYS, derive_obligations

__all__ = ["RESULT_KEYS", "InvalidAnswers", "derive_obligations", "validate_answers"]

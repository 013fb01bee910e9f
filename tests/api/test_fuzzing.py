"""The API fuzzed against its own OpenAPI schema (schemathesis).

The schema is read from the app itself (``/api/v1/schema/``, in-process through WSGI) when this
module is collected, and every operation it lists becomes one test: a new API module is fuzzed as
soon as its URLs are included, with nothing to add here. Each operation gets schema examples,
boundary values and up to ``MAX_EXAMPLES`` generated requests, valid ones and junk ones (negative
mode: wrong types, values out of their enum or range, missing fields, unknown addresses), sent
with the token of firm A's administrator on the suite's PostgreSQL database (row-level security
on). Path parameters name real rows of the firm most of the time (``REAL_IDS``: a client with
answers, obligations, a score and a cartography, mandates in two statuses, catalogue entries),
so that bodies get past the 404 and reach the validation.

Every response is checked by schemathesis' default checks: no 5xx, a status code the schema
documents, its content type, its body against the documented schema, its headers, a
schema-violating request refused (4xx), a missing required header refused, an undocumented
method answered 405.

One check is left out, ``positive_data_acceptance`` (a request the schema allows must not get a
400): the schema describes the shape of a payload, and the API also applies rules no JSON schema
can say — a SIREN's check digit, a NAF code of the official list, a catalogue name already taken,
a stale ``If-Match`` (412), a file that must be a real PDF, a text without NUL for PostgreSQL —
which answer a documented 400 with French messages by field.

Run only this: ``./scripts/test tests/api/test_fuzzing.py``. Seeded and derandomised, so a run
is the same on every machine.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from cartography.models import Platform, PlatformRole, PlatformStatus
from cartography.services import set_client_platform
from clients.models import Client
from firms.services import create_api_token
from firms.tenancy import firm_scope
from fiscal_questionnaire.services import save_answers
from mandates.models import Mandate, MandateStatus
from scoring.models import ClientScore
from tests import factories
from tests.test_isolation import objects  # noqa: F401 (a fixture)

MAX_EXAMPLES = 25

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", APP)
schema.config.seed = 2026
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    deterministic=True,
    database="none",  # no example kept between runs: each run is the same
)
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])

# Set by the fixture for the test that runs: per path parameter, ids of real rows of its firm.
REAL_IDS: dict[str, list[int]] = {}


# Cases are built (some when the module is collected) before the test's token exists: they
# carry this, replaced by the token when they are sent.
TOKEN_OF_THE_TEST = "Token (the test's)"


@schema.auth(refresh_interval=None)
class FirmToken:
    """The token goes through schemathesis' auth, so that the negative cases that leave out
    the Authorization header are sent without it (and must get a 401)."""

    def get(self, case, context):
        return TOKEN_OF_THE_TEST

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Three times out of four, a valid id generated for a path parameter is replaced by a real
    row's; junk (negative mode) is left as it is."""
    real = {
        name: REAL_IDS[name]
        for name, value in (path_parameters or {}).items()
        if REAL_IDS.get(name) and isinstance(value, int) and value > 0
    }
    if not real:
        return st.just(path_parameters)
    rows = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in real.items()})
    return st.one_of(
        rows.map(lambda ids: {**path_parameters, **ids}),
        rows.map(lambda ids: {**path_parameters, **ids}),
        rows.map(lambda ids: {**path_parameters, **ids}),
        st.just(path_parameters),
    )


@pytest.fixture
def token(firm_a, objects):  # noqa: F811
    """Firm A's administrator's API token, over a firm with real rows behind every parameter."""
    firm, admin = firm_a.firm, firm_a.admin
    bare = factories.make_client(firm, assigned_to=firm_a.collaborator.user)
    with firm_scope(firm):
        client = Client.objects.for_firm(firm).get(pk=objects["client_id"])
        save_answers(
            firm=firm,
            client=client,
            values={"vat_liable": True, "establishment": "france_hq", "turnover_eur": 1_500_000},
            by=admin.user,
        )
        set_client_platform(
            firm=firm,
            client=client,
            role=PlatformRole.RECEPTION,
            platform=Platform.objects.for_firm(firm).get(pk=objects["platform_id"]),
            status=PlatformStatus.CHOSEN,
            by=admin.user,
        )
        to_sign = Mandate(
            firm=firm,
            client=bare,
            reference=f"{bare.siren}-DEL-20261201-1",
            status=MandateStatus.TO_SIGN,
        )
        to_sign.document.save("mandat.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        to_sign.save()
        _, raw = create_api_token(membership=admin, name="fuzz")
        scored = set(ClientScore.objects.for_firm(firm).values_list("client_id", flat=True))
    assert client.pk in scored and bare.pk not in scored
    REAL_IDS.clear()
    REAL_IDS.update({name: [value] for name, value in objects.items() if isinstance(value, int)})
    REAL_IDS["client_id"].append(bare.pk)  # no answers, no score: the 404 of a score
    REAL_IDS["mandate_id"].append(to_sign.pk)
    # Django closes the connection after each request it serves as a server; here the requests
    # run in the test's transaction, as the test client's do.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield raw
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        REAL_IDS.clear()


@pytest.mark.postgres
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_answers_every_request_as_its_schema_says(case, token):
    if case.headers and case.headers.get("Authorization") == TOKEN_OF_THE_TEST:
        case.headers["Authorization"] = f"Token {token}"
    case.call_and_validate()

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from campaigns import services
from cartography.models import ClientPlatform, Platform
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Obligations
from tests import factories

OUTBOX_BACKEND = "outbox.backends.SMTPBackend"
BASE_URL = "http://testserver"


@pytest.fixture
def outbox_smtp(smtp_inbox, settings):
    """The suite's real SMTP server, reached through the outbox's backend."""
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    return smtp_inbox


@pytest.fixture
def portfolio(firm_a):
    """Three clients of firm A: one with its contact's address, obligations and a platform, one
    with a billing address only, one without any usable address."""
    firm = firm_a.firm
    martin = factories.make_client(
        firm,
        assigned_to=firm_a.collaborator.user,
        company_name="Boulangerie Martin & Fils",
        contact_name="Jeanne Martin",
        contact_email="jeanne@martin.test",
    )
    durand = factories.make_client(
        firm, company_name="Garage Durand", billing_emails=["compta@durand.test"]
    )
    silent = factories.make_client(firm, company_name="Atelier Sans Adresse", contact_email="")
    with firm_scope(firm):
        Obligations.objects.create(
            firm=firm,
            client=martin,
            in_scope=True,
            must_receive=True,
            receive_from=date(2026, 9, 1),
            must_issue=True,
            issue_from=date(2027, 9, 1),
            questionnaire_version=1,
            computed_at=timezone.now(),
        )
        platform = Platform.objects.create(firm=firm, name="PA Lumière")
        ClientPlatform.objects.create(
            firm=firm, client=martin, role="reception", platform=platform, status="chosen"
        )
    return {"martin": martin, "durand": durand, "silent": silent}


def make_campaign(cast, clients, **texts):
    return services.create_campaign(
        firm=cast.firm,
        by=cast.supervisor.user,
        client_ids=[client.pk for client in clients],
        **texts,
    )

"""One real object of a firm for each URL parameter of the isolation harness.

``tests/test_isolation.py`` (its ``objects`` fixture, used by the other sweeps of the suite)
fills every URL it discovers with these objects, and the bench's sweep (``bench/sweep.py``)
times every such URL with them on its 10,000-client firm: one builder, so that a parameter the
harness learns to fill is measured by the bench too.

The objects hang on a new client of their own, assigned to the collaborator. They go into a
firm that may already hold rows (the bench's firm, its default catalogues, the demo's clients):
the client takes a SIREN the firm does not use yet, and every name the database keeps unique
per firm (a software product, a platform, an invoice number, a mandate reference) carries the
new client's id.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from campaigns.models import CampaignRecipient
from campaigns.services import create_campaign
from cartography.models import ClientSoftware, Platform, SoftwareProduct
from clients.models import Client, ClientImport
from firms.models import Firm, Invitation, Membership, Role
from firms.services import create_api_token
from firms.tenancy import firm_scope
from invoicing.models import Engagement, Invoice, InvoiceBatch, InvoiceDelivery, Payment
from jobs.models import Job
from mandates.models import Mandate
from reports.models import SynthesisReport
from self_service.models import Proposal, ProposedField
from self_service.services import issue_link
from tests import factories

# The smallest file a PDF reader accepts: the pages serve it, nothing renders it.
PDF = b"%PDF-1.4\n%%EOF\n"

# SIRENs of the harness's clients: far from the factories' (100,000 onwards).
FIRST_SIREN = 90_000_000


def free_siren(firm: Firm) -> str:
    """The first valid SIREN from ``FIRST_SIREN`` on that none of the firm's clients has."""
    with firm_scope(firm):
        taken = set(Client.objects.for_firm(firm).values_list("siren", flat=True))
    return next(
        siren
        for number in range(FIRST_SIREN, 10**9)
        if (siren := factories.valid_siren(number)) not in taken
    )


def _pdf(field, name: str) -> None:
    field.save(name, ContentFile(PDF), save=False)


def make_harness_objects(firm: Firm, *, admin: Membership, collaborator: Membership) -> dict:
    """One real object of ``firm`` for each URL parameter, keyed by the parameter's name.

    ``admin`` requests the job, owns the API token and writes the campaign; ``collaborator``
    is the member of ``member_id`` and is assigned the new client.
    """
    client = factories.make_client(
        firm,
        assigned_to=collaborator.user,
        company_name="Société du harnais",
        siren=free_siren(firm),
    )
    tag = client.pk
    with firm_scope(firm):
        job = Job.objects.create(firm=firm, kind="portfolio_export", requested_by=admin.user)
        invitation = Invitation.objects.create(
            firm=firm, email=f"invitation-{tag}@example.test", role=Role.COLLABORATOR
        )
        token, _ = create_api_token(membership=admin, name="outil")
        client_import = ClientImport.objects.create(
            firm=firm, original_name="clients.csv", file="imports/clients.csv", job=job
        )
        product = SoftwareProduct.objects.create(
            firm=firm, vendor="Sage", name=f"Sage 50 ({tag})", category="accounting"
        )
        platform = Platform.objects.create(firm=firm, name=f"PA Alpha ({tag})")
        software = ClientSoftware.objects.create(
            firm=firm, client=client, product=product, category="accounting"
        )
        mandate = Mandate(
            firm=firm, client=client, reference=f"{client.siren}-DEL-20261201-1", status="signed"
        )
        _pdf(mandate.document, "mandat.pdf")
        _pdf(mandate.signed_document, "signe.pdf")
        mandate.save()
        report = SynthesisReport(
            firm=firm, client=client, number=1, sha256="0" * 64, size=len(PDF), snapshot={}
        )
        _pdf(report.document, "rapport.pdf")
        report.save()
        invoice = Invoice(
            firm=firm,
            client=client,
            status="issued",
            number=f"FA-2026-{tag:06d}",
            total_excl_vat=100,
            total_incl_vat=120,
            total_vat=20,
        )
        _pdf(invoice.pdf, "facture.pdf")
        invoice.save()
        engagement = Engagement.objects.create(
            firm=firm, client=client, description="Tenue", amount=100
        )
        payment = Payment.objects.create(
            firm=firm, invoice=invoice, paid_on="2026-01-15", amount=20, method="transfer"
        )
        batch = InvoiceBatch.objects.create(firm=firm, invoice_ids=[invoice.pk])
        delivery = InvoiceDelivery.objects.create(
            firm=firm, invoice=invoice, batch=batch, channel="paper", state="paper"
        )
        link = issue_link(client=client).link
        proposal = Proposal.objects.create(
            firm=firm, client=client, link=link, submitted_at=link.created_at
        )
        proposed = ProposedField.objects.create(
            firm=firm, proposal=proposal, code="q:vat_liable", value=True
        )
    campaign = create_campaign(firm=firm, by=admin.user, client_ids=[client.pk])
    with firm_scope(firm):
        recipient = CampaignRecipient.objects.for_firm(firm).get(campaign=campaign)
    return {
        "firm_slug": firm.slug,
        "client_id": client.pk,
        "job_id": job.pk,
        "member_id": collaborator.pk,
        "invitation_id": invitation.pk,
        "token_id": token.pk,
        "import_id": client_import.pk,
        "software_id": software.pk,
        "product_id": product.pk,
        "platform_id": platform.pk,
        "mandate_id": mandate.pk,
        "report_id": report.pk,
        "invoice_id": invoice.pk,
        "engagement_id": engagement.pk,
        "payment_id": payment.pk,
        "batch_id": batch.pk,
        "delivery_id": delivery.pk,
        "field_id": proposed.pk,
        "answer_id": proposed.pk,
        "campaign_id": campaign.pk,
        "recipient_id": recipient.pk,
        "role": "reception",
    }

"""The background job that sends a campaign: one outbox e-mail per client still without one,
with its progress; a rerun finds the e-mails already written and writes nothing twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from campaigns import services
from campaigns.models import Campaign
from firms.models import Firm, User
from firms.tenancy import firm_scope
from jobs.progress import JobRun
from jobs.services import JobError

# Each client's e-mail is a short transaction that reports progress.
STALLED_AFTER = timedelta(minutes=5)


def send_campaign_job(run: JobRun) -> None:
    with firm_scope(run.firm_id):
        firm = Firm.objects.get(pk=run.firm_id)
        by = User.objects.filter(pk=run.job.requested_by_id).first()
        campaign = Campaign.objects.for_firm(firm).filter(pk=run.params.get("campaign")).first()
        if campaign is None:
            raise JobError("Campagne introuvable.")
        pending = services.pending_recipient_ids(firm, campaign)
    base_url = run.params.get("base_url", "")
    run.set_total(len(pending))
    outcomes: Counter[str] = Counter()
    for recipient_id in pending:
        outcome = services.send_to_recipient(
            firm=firm, campaign=campaign, recipient_id=recipient_id, by=by, base_url=base_url
        )
        outcomes[outcome or "already"] += 1
        run.advance()
    services.finish_sending(firm=firm, campaign=campaign)
    run.save_summary(
        {
            "campaign": campaign.pk,
            "written": outcomes["sent"],
            "skipped": outcomes["skipped"],
            "already": outcomes["already"],
        }
    )

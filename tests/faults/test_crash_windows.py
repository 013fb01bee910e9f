"""A run that dies between two writes of a job (simulated by an exception no code catches, as a
SIGKILL would end it), then the sweeper and a second run: the work is done once, completely.

The mandates' job writes its drafts, then records them in its parameters (a rerun renders the
drafts it recorded and skips the clients with a mandate in progress): were the two writes not
in one transaction (the job's firm scope), a run killed between them would leave a draft that
no rerun renders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from firms.tenancy import firm_scope
from jobs.models import Job
from jobs.services import Sweep, execute_job, start_job, sweep_stalled_jobs
from mandates.models import Mandate, MandateStatus
from tests import factories


class Killed(BaseException):
    """The process ends here: no except clause of the application's sees it."""


def test_a_mandate_run_killed_after_writing_its_drafts_leaves_nothing_half_done(
    firm_a, monkeypatch, django_capture_on_commit_callbacks
):
    client = factories.make_client(
        firm_a.firm, company_name="Boulangerie Martin", signer_email="claire@exemple.test"
    )
    with firm_scope(firm_a.firm):
        job = start_job(
            firm=firm_a.firm,
            kind="generate_mandates",
            requested_by=firm_a.supervisor.user,
            params={"client_ids": [client.pk], "kind": "delegation"},
        )
    original_save = Job.save

    def die_on_params(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["params"]:
            raise Killed
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Job, "save", die_on_params)
    with pytest.raises(Killed):
        execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)
    monkeypatch.undo()
    with firm_scope(firm_a.firm):
        assert Job.objects.for_firm(firm_a.firm).get(pk=job.pk).status == Job.Status.RUNNING

    with django_capture_on_commit_callbacks():
        assert sweep_stalled_jobs(stalled_after=timedelta(0)) == Sweep(requeued=1)
    execute_job(firm_id=firm_a.firm.pk, job_id=job.pk)  # the requeued task

    with firm_scope(firm_a.firm):
        job.refresh_from_db()
        mandates = list(Mandate.objects.for_firm(firm_a.firm).filter(client=client))
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert [m.status for m in mandates] == [MandateStatus.TO_SIGN]
    assert job.summary["skipped"] == []
    assert job.params["mandate_ids"] == [mandates[0].pk]

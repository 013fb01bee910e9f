"""Background work of the scoring."""

from jobs.progress import JobRun
from jobs.registry import job_kind
from scoring.services import rescore_portfolio


@job_kind("rescore_portfolio", "Recalcul des scores du portefeuille")
def rescore_portfolio_job(run: JobRun) -> None:
    count = rescore_portfolio(firm_id=run.firm_id, progress=run)
    run.save_summary({"clients": count})

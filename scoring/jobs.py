"""Background work of the scoring."""

from jobs.progress import JobRun
from scoring.services import rescore_portfolio


def rescore_portfolio_job(run: JobRun) -> None:
    count = rescore_portfolio(firm_id=run.firm_id, progress=run)
    run.save_summary({"clients": count})

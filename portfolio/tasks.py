from celery import shared_task

from portfolio.dashboard.kept_figures import trim_write_log
from portfolio.snapshots import take_snapshots


@shared_task(name="portfolio.take_portfolio_snapshots", acks_late=True)
def take_portfolio_snapshots(firm_ids: list[int] | None = None) -> int:
    """Weekly (beat): this week's portfolio figures of the given firms, or of every firm."""
    return take_snapshots(firm_ids=firm_ids)


@shared_task(name="portfolio.trim_write_log", acks_late=True)
def trim_portfolio_write_log() -> int:
    """Nightly (beat): the dashboard's write log loses its rows older than a day."""
    return trim_write_log()

from celery import shared_task

from portfolio.snapshots import take_snapshots


@shared_task(name="portfolio.take_portfolio_snapshots", acks_late=True)
def take_portfolio_snapshots(firm_ids: list[int] | None = None) -> int:
    """Weekly (beat): this week's portfolio figures of the given firms, or of every firm."""
    return take_snapshots(firm_ids=firm_ids)

"""Reading the portfolio dashboard (Cartographie FE): the filtered set, its headline figures, the
rows of a page and the geometry of the two server-side charts.

Everything the dashboard filters, sorts and counts on is a column of the client or of its
PortfolioFacts row (its score's figures and the facts they were computed from, a narrow table
written with the score), so the work over the whole filtered set is one join of two narrow
tables. A page costs a fixed number of queries whatever the size of the portfolio: one aggregate
for the headline figures (which also gives the pagination its count; kept between views while
nothing they count changes, see kept_figures), one for the ids of the page, one joining those
fifty rows alone to their platforms and their score's breakdown.
"""

from portfolio.dashboard.charts import progress_chart, recent_snapshots, urgency_bars
from portfolio.dashboard.figures import HeadlineFigures, headline_figures
from portfolio.dashboard.filters import (
    CHOICE_FILTERS,
    ISSUING_YEAR_CHOICES,
    MANDATE_CHOICES,
    OBLIGATION_CHOICES,
    PLATFORM_CHOICES,
    SIZE_CHOICES,
    SORT_FIELDS,
    URGENCY_CHOICES,
    DashboardFilters,
    annotate_portfolio,
    portfolio_clients,
    stale_cutoff,
)
from portfolio.dashboard.kept_figures import kept_headline_figures
from portfolio.dashboard.rows import PAGE_SIZE, PageInfo, ordered, page_rows

__all__ = [
    "CHOICE_FILTERS",
    "ISSUING_YEAR_CHOICES",
    "MANDATE_CHOICES",
    "OBLIGATION_CHOICES",
    "PAGE_SIZE",
    "PLATFORM_CHOICES",
    "SIZE_CHOICES",
    "SORT_FIELDS",
    "URGENCY_CHOICES",
    "DashboardFilters",
    "HeadlineFigures",
    "PageInfo",
    "annotate_portfolio",
    "headline_figures",
    "kept_headline_figures",
    "ordered",
    "page_rows",
    "portfolio_clients",
    "progress_chart",
    "recent_snapshots",
    "stale_cutoff",
    "urgency_bars",
]

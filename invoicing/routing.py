"""How each invoice of the firm reaches its client after the reform: platform, e-mail or paper.

From the firm's own issuing date (its obligations, derived by the rules engine from the firm's
answers in its settings), an invoice to a VAT-liable company established in France goes through
the firm's approved platform (*plateforme agréée*), not by e-mail alone. Consumers, clients not
liable to VAT and foreign clients never go through the platform: those sales are e-reported
(``invoicing.ereporting``) and the invoice goes the way the client prefers.

E-mail clients always receive their e-mail: the invoice itself before the firm's date, a copy
marked as such after. A client who refused e-mail, or who has no billing address, gets paper.
While what would decide the route is unknown (the firm's own answers, or whether the client is
a VAT-liable company in France), the invoice follows the client's preference and the route is
marked "à confirmer".

Pure functions over plain data; ``decide_route`` is the one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.utils.translation import gettext

Channel = Literal["platform", "email", "paper"]
PREFERENCES = ("email", "paper", "refused")  # "refused": the client refused e-mail
PLATFORM: Channel = "platform"
EMAIL: Channel = "email"
PAPER: Channel = "paper"

# The firm's obligations say it never has to issue through a platform (no domestic B2B sales).
NEVER = date.max


@dataclass(frozen=True)
class BuyerFacts:
    """What the route needs to know of the client: is it a company liable to VAT and
    established in France (``None`` while its answers do not tell)?"""

    vat_liable_in_france: bool | None


@dataclass(frozen=True)
class Route:
    channel: Channel
    email_copy: bool = False  # with the platform: a copy by e-mail, marked as a copy
    to_confirm: bool = False  # decided on the client's preference while facts are missing

    @property
    def label(self) -> str:
        """The French wording shown next to the invoice."""
        if self.channel == PLATFORM:
            text = (
                gettext("Plateforme agréée + copie par e-mail")
                if self.email_copy
                else gettext("Plateforme agréée")
            )
        elif self.channel == EMAIL:
            text = gettext("E-mail")
        else:
            text = gettext("Papier")
        if self.to_confirm:
            return gettext("%(route)s (route à confirmer)") % {"route": text}
        return text


def decide_route(
    *,
    issue_date: date,
    firm_issuing_date: date | None,
    buyer: BuyerFacts,
    preference: str,
    has_billing_email: bool,
) -> Route:
    """The route of one invoice issued on ``issue_date``.

    ``firm_issuing_date`` is the day the firm must issue through its platform (``None`` while
    its answers do not decide it, ``NEVER`` when it never has to); ``preference`` is the
    client's delivery preference, one of ``PREFERENCES``; ``has_billing_email`` whether the
    client has a billing e-mail address. Raises ``ValueError`` on an unknown preference.
    """
    if preference not in PREFERENCES:
        raise ValueError(f"unknown delivery preference {preference!r}; one of {PREFERENCES}")
    by_email = preference == "email" and has_billing_email

    if buyer.vat_liable_in_france is False:
        # Consumers, clients not liable to VAT, foreign clients: e-reporting, never the platform.
        return _preferred(by_email, to_confirm=False)
    if firm_issuing_date is None:
        return _preferred(by_email, to_confirm=True)
    if issue_date < firm_issuing_date:
        return _preferred(by_email, to_confirm=False)
    if buyer.vat_liable_in_france is None:
        return _preferred(by_email, to_confirm=True)
    return Route(channel=PLATFORM, email_copy=by_email)


def _preferred(by_email: bool, *, to_confirm: bool) -> Route:
    return Route(channel=EMAIL if by_email else PAPER, to_confirm=to_confirm)


def buyer_facts_from_obligations(
    obligations: Mapping[str, object] | object | None,
    *,
    siren: str,
    country_code: str = "FR",
) -> BuyerFacts:
    """The client's ``BuyerFacts`` from its derived obligations.

    ``obligations`` is a result of ``derive_obligations`` (a mapping) or the stored
    ``Obligations`` row, ``None`` when the client has no answer. Every VAT-liable company
    established in France must receive e-invoices (REGULATION §1), so ``must_receive`` tells
    it: true yes, false no (not liable, or not established in France), null unknown. A client
    without a SIREN or with an address abroad is never a company established in France,
    whatever its answers.
    """
    if not siren.strip() or country_code.strip().upper() not in ("", "FR"):
        return BuyerFacts(vat_liable_in_france=False)
    if obligations is None:
        return BuyerFacts(vat_liable_in_france=None)
    if isinstance(obligations, Mapping):
        must_receive = obligations.get("must_receive")
    else:
        must_receive = getattr(obligations, "must_receive", None)
    return BuyerFacts(vat_liable_in_france=must_receive if isinstance(must_receive, bool) else None)


def firm_issuing_date_from_obligations(
    obligations: Mapping[str, object] | object | None,
) -> date | None:
    """The firm's own issuing date from its derived obligations: ``issue_from`` when it must
    issue, ``NEVER`` when it need not, ``None`` while its answers do not decide it."""
    if obligations is None:
        return None
    if isinstance(obligations, Mapping):
        must_issue, issue_from = obligations.get("must_issue"), obligations.get("issue_from")
    else:
        must_issue = getattr(obligations, "must_issue", None)
        issue_from = getattr(obligations, "issue_from", None)
    if must_issue is False:
        return NEVER
    if must_issue is not True or not issue_from:
        return None
    return issue_from if isinstance(issue_from, date) else date.fromisoformat(str(issue_from))

"""The campaigns' bulk action on a client list: a draft campaign to the checked rows or the
whole filtered set, opened for its text, preview and test (clients.bulk)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from campaigns import services
from clients.bulk import BulkAction, BulkOutcome
from firms.models import Firm, Role, User


class CampaignSourceForm(forms.Form):
    """What the bar posts along: the scope and the list's filters, kept with the campaign."""

    scope = forms.CharField(required=False, max_length=20)
    querystring = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        super().__init__(*args, **kwargs)


def new_campaign(
    *, firm: Firm, user: User, client_ids: Sequence[int], options: dict
) -> BulkOutcome:
    snapshot = {
        "scope": "all" if options.get("scope") == "all" else "selected",
        # The filters in force, without those left empty.
        "querystring": urlencode(
            [(k, v) for k, v in parse_qsl(options.get("querystring", "")) if v]
        ),
    }
    try:
        campaign = services.create_campaign(
            firm=firm, by=user, client_ids=list(client_ids), filter_snapshot=snapshot
        )
    except services.CampaignRefused as error:
        return BulkOutcome(str(error))
    except ValidationError as error:  # the default texts are valid: never expected
        return BulkOutcome(" ".join(error.messages))
    message = ngettext(
        "Campagne préparée pour %(count)s client : écrivez-la, prévisualisez-la, puis envoyez-la.",
        "Campagne préparée pour %(count)s clients : écrivez-la, prévisualisez-la, puis envoyez-la.",
        len(client_ids),
    ) % {"count": len(client_ids)}
    return BulkOutcome(
        message, redirect_to=reverse("campaign_detail", args=[firm.slug, campaign.pk])
    )


NEW_CAMPAIGN = BulkAction(
    name="campaign",
    label=gettext_lazy("Nouvelle campagne"),
    roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
    run=new_campaign,
    form=CampaignSourceForm,
    order=60,
)

from django import template

from clients.models import Client
from scoring.models import ClientScore

register = template.Library()


@register.inclusion_tag("scoring/partials/urgency_badge.html")
def urgency_badge_for(client: Client) -> dict:
    """The badge of one client (one query); lists attach scores in bulk instead."""
    return {"score": ClientScore.objects.for_firm(client.firm_id).filter(client=client).first()}

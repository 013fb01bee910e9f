from django import template

register = template.Library()


@register.inclusion_tag("self_service/partials/review.html", takes_context=True)
def self_service_review(context, client):
    """The client sheet's section: the client's link and the answers it sent to review."""
    from self_service.views import review_context

    return {**review_context(context["request"], client), "csrf_token": context.get("csrf_token")}

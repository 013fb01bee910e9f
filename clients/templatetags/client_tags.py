from django import template
from django.utils.html import format_html

register = template.Library()

SORT_LINK = (
    '<a class="sort" href="?{query}" hx-get="?{query}" hx-target="#client-table" '
    'hx-push-url="true">{label}{arrow}</a>'
)


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str) -> str:
    """A column header that sorts by ``key``, and reverses when already sorted by it."""
    request = context["request"]
    current = context["filters"].sort
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    arrow = " ↑" if current == key else " ↓" if current == f"-{key}" else ""
    return format_html(SORT_LINK, query=params.urlencode(), label=label, arrow=arrow)

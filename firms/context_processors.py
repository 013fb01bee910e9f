from django.http import HttpRequest

from firms.models import Membership


def firm(request: HttpRequest) -> dict:
    """The current firm and membership, and the user's other firms for the switcher."""
    current = getattr(request, "firm", None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"firm": current, "membership": None, "user_memberships": []}

    def user_memberships() -> list[Membership]:
        # Lazy: evaluated only when the header renders the switcher. Visible through the
        # user clause of the membership policy, whatever firm is in scope.
        return list(Membership.objects.for_user(user).select_related("firm").order_by("firm__name"))

    return {
        "firm": current,
        "membership": getattr(request, "membership", None),
        "user_memberships": user_memberships,
    }

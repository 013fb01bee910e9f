"""Bulk actions on clients: the bar under a client list (Clients, Cartographie FE).

An action is declared once, by the app that owns it, in its ``AppConfig.ready()``
(``register_bulk_action``): a name, a French label, the roles allowed and a function taking the
firm, the user and the chosen client ids. Each list offers the actions its member's role allows,
on the checked rows or on the whole filtered set, and hands the POST to
``perform_bulk_action`` with its own filtered set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clients.forms import NOBODY, firm_members
from clients.models import Client
from clients.services import reassign_clients
from firms.models import Firm, Membership, Role, User
from firms.parameters import parse_positive_int


@dataclass(frozen=True)
class BulkOutcome:
    message: str
    redirect_to: str = ""  # where to go next (a job's page); "" goes back to the list


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: str  # the button, in French
    roles: frozenset[Role]
    # run(*, firm, user, client_ids, options) -> BulkOutcome; options: the form's cleaned data.
    run: Callable[..., BulkOutcome]
    # The action's own fields: a form built with ``firm=`` that validates them, and the partial
    # that renders them in the bar (with the list's context: ``members``…).
    form: type[forms.Form] | None = None
    fields_template: str = ""
    confirm: str = ""  # asked before running, in French
    order: int = 100


_actions: dict[str, BulkAction] = {}


def register_bulk_action(action: BulkAction) -> None:
    if action.name in _actions:
        raise RuntimeError(f"bulk action {action.name!r} registered twice")
    _actions[action.name] = action


def bulk_actions_for(membership: Membership | None) -> list[BulkAction]:
    """The actions a member's role allows, in the bar's order."""
    if membership is None:
        return []
    allowed = [action for action in _actions.values() if membership.role in action.roles]
    return sorted(allowed, key=lambda action: (action.order, action.name))


def perform_bulk_action(
    request: HttpRequest, *, filtered_set: QuerySet[Client], back: str
) -> HttpResponse:
    """Run the action a bar posted (``action``, ``scope`` "all" or the ``selected`` ids, and the
    action's fields) on the member's clients, then go back to the list (or where the action
    says) with a message. ``filtered_set``: the list's clients under its filters."""
    action = _actions.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choisissez une action."))
        return redirect(back)
    if request.membership.role not in action.roles:
        raise PermissionDenied
    options: dict = {}
    if action.form is not None:
        form = action.form(request.POST, firm=request.firm)
        if not form.is_valid():
            messages.error(request, _first_error(form))
            return redirect(back)
        options = form.cleaned_data
    if request.POST.get("scope") == "all":
        chosen = filtered_set
    else:
        selected = {parse_positive_int(value) for value in request.POST.getlist("selected")}
        chosen = Client.objects.visible_to(request.membership).filter(pk__in=selected - {None})
    client_ids = list(chosen.order_by().values_list("pk", flat=True))
    if not client_ids:
        messages.warning(request, _("Aucun client sélectionné."))
        return redirect(back)
    outcome = action.run(
        firm=request.firm, user=request.user, client_ids=client_ids, options=options
    )
    messages.success(request, outcome.message)
    return redirect(outcome.redirect_to or back)


def _first_error(form: forms.Form) -> str:
    return next(iter(form.errors.values()))[0]


# The clients app's own action: give clients to a collaborator, or explicitly to nobody.

UNASSIGN = "none"  # the explicit choice of nobody


class ReassignForm(forms.Form):
    # Not "collaborator": that is the list's filter, in the query string posted along.
    assignee = forms.ChoiceField(
        label=gettext_lazy("Nouveau collaborateur"),
        error_messages={"required": gettext_lazy("Choisissez à qui attribuer ces clients.")},
    )

    def __init__(self, *args, firm: Firm, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._members = {str(user.pk): user for user in firm_members(firm)}
        self.fields["assignee"].choices = [
            ("", _("— Choisir un collaborateur —")),
            *((pk, user.full_name) for pk, user in self._members.items()),
            (UNASSIGN, NOBODY),
        ]

    def clean_assignee(self) -> User | None:
        value = self.cleaned_data["assignee"]
        return None if value == UNASSIGN else self._members[value]


def reassign(*, firm: Firm, user: User, client_ids: Iterable[int], options: dict) -> BulkOutcome:
    collaborator = options["assignee"]
    clients = Client.objects.for_firm(firm).filter(pk__in=list(client_ids))
    moved = reassign_clients(
        firm=firm, clients=clients.select_related("assigned_to"), collaborator=collaborator, by=user
    )
    if collaborator is None:
        message = ngettext(
            "%(count)s client n'est plus attribué à personne.",
            "%(count)s clients ne sont plus attribués à personne.",
            moved,
        )
    else:
        message = ngettext(
            "%(count)s client attribué à %(name)s.",
            "%(count)s clients attribués à %(name)s.",
            moved,
        )
    return BulkOutcome(message % {"count": moved, "name": collaborator})


REASSIGN = BulkAction(
    name="reassign",
    label=gettext_lazy("Réattribuer"),
    roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
    run=reassign,
    form=ReassignForm,
    fields_template="clients/partials/bulk_reassign_fields.html",
    confirm=gettext_lazy("Réattribuer ces clients ?"),
    order=10,
)

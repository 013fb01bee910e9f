"""Who may do what inside a firm. Outside one's firm everything is a 404 (the middleware);
inside it, a role that does not allow an action is a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from firms.models import Role

SUPERVISION_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def require_role(*roles: Role) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.membership is None or request.membership.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_roles = roles  # read by the isolation test
        return wrapper

    return decorator


require_admin = require_role(Role.ADMIN)
require_supervision = require_role(*SUPERVISION_ROLES)


class WriteRolePermission(BasePermission):
    """The API's role check: reading is for every member of the token's firm; writing needs
    one of the view's ``write_roles`` (every role when the view names none)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        roles = getattr(view, "write_roles", None)
        return roles is None or request.membership.role in roles

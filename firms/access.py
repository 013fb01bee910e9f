"""Who may do what inside a firm. Outside one's firm everything is a 404 (the middleware);
inside it, a role that does not allow an action is a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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

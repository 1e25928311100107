"""Who may see what: the one place the project's access rules are written down.

Deny by default. Django's `LoginRequiredMiddleware` (settings.MIDDLEWARE) sends every
anonymous request to the login page unless its view is marked public on purpose with
`login_not_required` (a function view) or
`@method_decorator(login_not_required, name="dispatch")` (a class), and says why: a
view of the project's own in its docstring (pages/views.py shows how), a library's in
settings.PUBLIC_LIBRARY_VIEWS, by URL name, with the reason. REST framework's views
leave the middleware out and refuse anonymous requests themselves, with 401; one that
is public on purpose lists AllowAny in its permission_classes and says why.

Beyond signing in, two rules decide, and views (security.mixins), the admin
(users.admin) and the REST API (api.permissions) all apply them through the functions
here:

- `owned()`: an object belongs to its owner; anyone else's is simply not found (404),
  exactly like one that does not exist, so its id reveals nothing;
- `has_permissions()`: what reaches beyond one's own objects (an auditor listing every
  document, staff exporting a user's data) needs a permission, given through a role
  (security.roles) and refused with 403, logged as a `permission_denied` event.

The test tests/config/test_walk.py walks every URL of the project and fails on a view
that follows neither rule nor says why it is public.
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet


def owned(queryset: QuerySet[Any], user: Any, owner_field: str = "owner") -> QuerySet[Any]:
    """Only `user`'s objects of `queryset`; none at all for an anonymous visitor.

    `owner_field` is the lookup from the model to its owning user; it may cross
    relations ("project__owner").
    """
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{owner_field: user})


def is_owner(user: Any, obj: Model, owner_field: str = "owner") -> bool:
    """Whether `obj` is `user`'s own, by the same lookup as `owned()`."""
    return owned(type(obj)._default_manager.filter(pk=obj.pk), user, owner_field).exists()


def has_permissions(user: Any, permissions: str | Iterable[str]) -> bool:
    """Whether `user` holds every permission named ("app_label.codename").

    Permissions come from the user's roles (Django groups, security.roles) or are given
    to the user directly; an inactive or anonymous user holds none, a superuser all.
    """
    if isinstance(permissions, str):
        permissions = (permissions,)
    return bool(user is not None and user.is_active and user.has_perms(tuple(permissions)))

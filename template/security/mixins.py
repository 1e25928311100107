"""View mixins: the access rules of security.access, for class-based views.

    from security.mixins import OwnerScopedMixin, PermissionRequiredMixin

    class InvoiceDetail(OwnerScopedMixin, DetailView):
        model = Invoice             # with owner = models.ForeignKey(User, ...)

    class InvoiceAudit(PermissionRequiredMixin, ListView):
        model = Invoice             # every invoice, for the finance role
        permission_required = "invoices.audit_invoice"

Every view already needs a signed-in user (LoginRequiredMiddleware). `OwnerScopedMixin`
limits the view's queryset to the signed-in user's own objects, so another user's
object is a 404, exactly like one that does not exist: its id reveals nothing.
`PermissionRequiredMixin` answers 403 to a user without the permission, and the 403
handler logs the refusal as a `permission_denied` security event. Put the mixin first
in the bases.
"""

from typing import Any

from django.contrib.auth import mixins as auth_mixins
from django.db.models import QuerySet
from django.http import HttpRequest

from security.access import has_permissions, owned


class LoginRequiredMixin(auth_mixins.LoginRequiredMixin):
    """Anonymous visitors are redirected to the login page, then back here.

    LoginRequiredMiddleware does this for every view already; the mixin says it in the
    class too, and keeps the view protected should it ever be served without it.
    """


class OwnerScopedMixin(LoginRequiredMixin):
    """Only the signed-in user's objects: others' give 404 in detail, update and delete views.

    `owner_field` names the lookup from the model to its owning user; it may cross
    relations, e.g. "project__owner". Views that create objects set the owner
    themselves (`form.instance.owner = self.request.user` in form_valid).
    """

    owner_field = "owner"
    request: HttpRequest

    def get_queryset(self) -> QuerySet[Any]:
        # The view this mixes into (ListView, DetailView...) defines get_queryset.
        queryset = super().get_queryset()  # type: ignore[misc]
        return owned(queryset, self.request.user, self.owner_field)


class PermissionRequiredMixin(auth_mixins.PermissionRequiredMixin):
    """A user without `permission_required` gets 403 (logged), never a login page.

    Name the permission as "app_label.codename"; give it to people through a role
    (security.roles), not one by one.
    """

    raise_exception = True
    request: HttpRequest

    def has_permission(self) -> bool:
        return has_permissions(self.request.user, self.get_permission_required())

"""The API's access rules: the project's own (security.access), as DRF permissions.

Every endpoint needs a signed-in user (DEFAULT_PERMISSION_CLASSES: IsAuthenticated,
401 without a token or session). Views over users' objects scope their queryset with
OwnerScopedQuerysetMixin, so another user's object is simply not found (404, never
403: its existence is not leaked); IsOwner is the second line, should a view ever
fetch objects some other way. A view that reaches beyond one's own objects names its
permission, as a page does:

    class InvoiceAudit(ListAPIView):
        permission_classes = (IsAuthenticated, PermissionRequired)
        permission_required = "invoices.audit_invoice"

A refusal is 403, logged as a `permission_denied` event (api.exceptions).
"""

from rest_framework.permissions import BasePermission

from security.access import has_permissions, is_owner, owned


class IsOwner(BasePermission):
    """The object is the signed-in user's own (the view's `owner_field`, default "owner")."""

    def has_object_permission(self, request, view, obj) -> bool:
        return is_owner(request.user, obj, getattr(view, "owner_field", "owner"))


class PermissionRequired(BasePermission):
    """The user holds the view's `permission_required` (Django permissions, from a role)."""

    def has_permission(self, request, view) -> bool:
        return has_permissions(request.user, view.permission_required)


class OwnerScopedQuerysetMixin:
    """get_queryset() returns only the signed-in user's objects (`owner_field`, "owner")."""

    owner_field = "owner"

    def get_queryset(self):
        return owned(super().get_queryset(), self.request.user, self.owner_field)

"""Owner-only access: the convention for every API view over users' objects.

Scope the queryset with OwnerScopedQuerysetMixin first, so another user's object is
simply not found (404, never 403: its existence is not leaked); IsOwner is the second
line, should a view ever fetch objects some other way.
"""

from rest_framework.permissions import BasePermission


class IsOwner(BasePermission):
    def has_object_permission(self, request, view, obj) -> bool:
        return obj.owner_id == request.user.pk


class OwnerScopedQuerysetMixin:
    """get_queryset() returns only the signed-in user's objects (the model has `owner`)."""

    def get_queryset(self):
        return super().get_queryset().filter(owner=self.request.user)

"""View mixins, the project's convention for views that belong to signed-in users.

    from security.mixins import LoginRequiredMixin, OwnerScopedMixin

    class InvoiceDetail(OwnerScopedMixin, DetailView):
        model = Invoice             # with owner = models.ForeignKey(User, ...)

`LoginRequiredMixin` sends anonymous visitors to the login page and back (the `next`
parameter never leaves the site). `OwnerScopedMixin` also limits the view's queryset
to the signed-in user's own objects, so another user's object is a 404, exactly like
one that does not exist: its id reveals nothing. Put the mixin first in the bases.
"""

from django.contrib.auth import mixins as auth_mixins
from django.db.models import QuerySet


class LoginRequiredMixin(auth_mixins.LoginRequiredMixin):
    """Anonymous visitors are redirected to the login page, then back here."""


class OwnerScopedMixin(LoginRequiredMixin):
    """Only the signed-in user's objects: others' give 404 in detail, update and delete views.

    `owner_field` names the lookup from the model to its owning user; it may cross
    relations, e.g. "project__owner". Views that create objects set the owner
    themselves (`form.instance.owner = self.request.user` in form_valid).
    """

    owner_field = "owner"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(**{self.owner_field: self.request.user})

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from privacy import personal_data
from privacy.views import export_response
from security.access import has_permissions
from security.log import security_event
from users.forms import UserChangeForm, UserCreationForm
from users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    actions = ("export_data", "erase_accounts")

    # Each data-rights action needs its own permission (User.Meta.permissions): staff who
    # may only view users see neither action, and Django refuses a posted one.
    def has_export_data_permission(self, request: HttpRequest) -> bool:
        return has_permissions(request.user, "users.export_user_data")

    def has_erase_data_permission(self, request: HttpRequest) -> bool:
        return has_permissions(request.user, "users.erase_user_data")

    @admin.action(
        description="Export the selected user's data (JSON)", permissions=("export_data",)
    )
    def export_data(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        """The same file the user downloads from "Your data"; one user at a time."""
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one user to export.", messages.ERROR)
            return None
        user = queryset.get()
        security_event("data_exported", request, user_id=user.pk, by=request.user.pk)
        return export_response(user)

    @admin.action(
        description="Erase the selected accounts and all their data", permissions=("erase_data",)
    )
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """The same erasure as the user's own: rows, files (after commit) and sessions."""
        for user in queryset:
            user_id = user.pk
            try:
                files = personal_data.erase_user(user)
            except personal_data.LastSuperuserError:
                self.message_user(
                    request, f"Kept {user.email}: the last superuser.", messages.ERROR
                )
                continue
            security_event(
                "account_deleted", request, user_id=user_id, files=files, by=request.user.pk
            )
            self.message_user(request, f"Erased account {user_id} and its data.")

"""Forms for creating and changing users by email."""

from django.contrib.auth import forms as auth_forms

from users.models import User, normalize_email


class UserCreationForm(auth_forms.AdminUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class UserChangeForm(auth_forms.UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "name", "is_active", "is_staff", "is_superuser")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

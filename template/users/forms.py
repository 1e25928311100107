"""Forms for creating and changing users by email."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms

from users.models import User, normalize_email


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "name", "is_active", "is_staff", "is_superuser")

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])


class PasswordConfirmForm(forms.Form):
    """The account's password again: an export or erasure needs a fresh proof, not a session.

    It goes through authenticate(), so a wrong password counts towards the login lockout
    (django-axes) and is logged as a failed login, like any other guess.
    """

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.email, password=password) is None:
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class AccountDeleteForm(PasswordConfirmForm):
    confirm = forms.BooleanField(
        label="I understand that my account and all my data will be deleted for good.",
        required=True,
    )

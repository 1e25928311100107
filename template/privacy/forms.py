"""The password again, before an export or an erasure."""

from django import forms
from django.contrib.auth import authenticate


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
        if authenticate(self.request, username=user.get_username(), password=password) is None:
            raise forms.ValidationError("That is not your password.", code="wrong_password")
        return password


class AccountDeleteForm(PasswordConfirmForm):
    confirm = forms.BooleanField(
        label="I understand that my account and all my data will be deleted for good.",
        required=True,
    )

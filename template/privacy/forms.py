"""The confirmation an erasure asks for."""

from django import forms


class AccountDeleteForm(forms.Form):
    """A box to tick: the page has just asked who you are (reauthentication), and now
    asks whether you mean it."""

    confirm = forms.BooleanField(
        label="I understand that my account and all my data will be deleted for good.",
        required=True,
    )

"""What the URL walk (tests/walk.py) needs of the accounts app: a passkey of the owner's.

allauth's passkey pages name the key by its id; the walk gives them one of the
owner's, so another user must get 404 for it.
"""

from allauth.mfa.models import Authenticator


def passkey(owner):
    return Authenticator.objects.create(
        user=owner,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "Walk key", "credential": {}, "passwordless": False},
    )


FACTORIES = {"mfa.Authenticator": passkey}
PARAMETERS = {
    "mfa_edit_webauthn": {"pk": lambda walk: walk.owned(Authenticator).pk},
    "mfa_remove_webauthn": {"pk": lambda walk: walk.owned(Authenticator).pk},
}

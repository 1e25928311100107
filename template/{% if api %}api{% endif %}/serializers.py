from allauth.account.models import EmailAddress
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import authenticate, get_user_model
from rest_framework import serializers

REFUSED = "Unable to sign in with these credentials."


class CredentialsSerializer(serializers.Serializer):
    """Email, password and, for accounts with two-factor authentication, a code.

    Checked as the site's login checks them: through django-axes and the failure
    budgets (authenticate()), a verified address only, and the second factor an
    account has turned on cannot be skipped by asking the API instead: its current
    authenticator-app code or one of its recovery codes (allauth's form, with allauth's
    limit on wrong codes). Accounts that have only passkeys sign in on the site.
    """

    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    code = serializers.CharField(required=False, trim_whitespace=True, max_length=64)

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(request._request, email=attrs["email"], password=attrs["password"])
        if user is None or not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise serializers.ValidationError(REFUSED)
        if is_mfa_enabled(user):
            codes = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            if not is_mfa_enabled(user, types=codes):
                raise serializers.ValidationError("This account signs in with a passkey.")
            if not attrs.get("code"):
                raise serializers.ValidationError({"code": "This account needs its code."})
            if not AuthenticateForm(user=user, data={"code": attrs["code"]}).is_valid():
                raise serializers.ValidationError({"code": "Incorrect code."})
        attrs["user"] = user
        return attrs


class AccountSerializer(serializers.ModelSerializer):
    """The signed-in user's own account, read only."""

    class Meta:
        model = get_user_model()
        fields = ("id", "email", "name")
        read_only_fields = fields

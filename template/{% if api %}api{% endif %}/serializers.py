from django.contrib.auth import authenticate, get_user_model
from rest_framework import serializers


class CredentialsSerializer(serializers.Serializer):
    """Email and password for a token; checked through django-axes like the login form."""

    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = self.context["request"]
        user = authenticate(
            request._request, username=attrs["email"].lower(), password=attrs["password"]
        )
        if user is None:
            raise serializers.ValidationError("Unable to sign in with these credentials.")
        attrs["user"] = user
        return attrs


class AccountSerializer(serializers.ModelSerializer):
    """The signed-in user's own account, read only."""

    class Meta:
        model = get_user_model()
        fields = ("id", "email", "name")
        read_only_fields = fields

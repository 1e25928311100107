from django.contrib.auth import authenticate
from rest_framework import serializers

from documents.models import Document


class DocumentSerializer(serializers.ModelSerializer):
    """A document's details; `file` is accepted on upload and never shown back.

    The model field's UploadValidator runs here as in the site's form: a refused file is
    a 400 with the reason under "file", and nothing is stored.
    """

    class Meta:
        model = Document
        fields = ("id", "name", "size", "uploaded_at", "file")
        read_only_fields = ("id", "name", "size", "uploaded_at")
        extra_kwargs = {"file": {"write_only": True}}  # noqa: RUF012

    def create(self, validated_data):
        upload = validated_data["file"]
        validated_data["name"] = upload.name
        validated_data["size"] = upload.size
        return super().create(validated_data)


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

"""The API's views: token login and logout, and the user's own documents."""

from knox.views import LoginView as KnoxLoginView
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated

from api.permissions import IsOwner, OwnerScopedQuerysetMixin
from api.serializers import CredentialsSerializer, DocumentSerializer
from documents.models import Document


class LoginView(KnoxLoginView):
    """POST email and password, get a token (stored hashed; shown this once)."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_scope = "sensitive"

    def post(self, request, format=None):
        serializer = CredentialsSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)


class DocumentViewSet(
    OwnerScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """List, show, upload and delete your own documents; anyone else's is a 404."""

    queryset = Document.objects.all()
    serializer_class = DocumentSerializer
    permission_classes = (IsAuthenticated, IsOwner)

    def get_throttles(self):
        # Uploads get the stricter scope; reading stays on the user rate.
        self.throttle_scope = "sensitive" if self.action == "create" else None
        return super().get_throttles()

    def perform_create(self, serializer) -> None:
        serializer.save(owner=self.request.user)

"""The API's views: token login and logout, and the signed-in user's own account."""

from knox.views import LoginView as KnoxLoginView
from rest_framework import generics
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny

from api.serializers import AccountSerializer, CredentialsSerializer


class LoginView(KnoxLoginView):
    """POST email and password as JSON, get a token (stored hashed; shown this once).

    Public: it is how a client without a token gets one.

    JSON only: a page on another site can make a visitor's browser post a form
    (urlencoded, multipart or text/plain) here, but not JSON without a CORS preflight
    that other origins fail. Forms posted on a visitor's behalf would otherwise spend
    that visitor's lockout and failure budgets from their own network. Every attempt
    goes through authenticate(): the lockout and the failure budgets apply as on the
    site's login page.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (JSONParser,)
    throttle_scope = "sensitive"

    def post(self, request, format=None):
        serializer = CredentialsSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        request.user = serializer.validated_data["user"]
        return super().post(request, format=format)


class AccountView(generics.RetrieveAPIView):
    """GET /api/me/: who the token or session belongs to (the default permission applies)."""

    serializer_class = AccountSerializer

    def get_object(self):
        return self.request.user

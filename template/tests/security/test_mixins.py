"""The view mixins in security.mixins: login required, and owner-scoped querysets.

django-allauth's email addresses are a model that belongs to a user, so the views below
use them; an app's own views use the mixins the same way (README, "Adding a view safely").
"""

import pytest
from allauth.account.models import EmailAddress
from django.http import HttpResponse
from django.urls import path
from django.views.generic import DeleteView, DetailView, ListView, View

from config import urls as project_urls
from security.mixins import LoginRequiredMixin, OwnerScopedMixin
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class Private(LoginRequiredMixin, View):
    def get(self, request):
        return HttpResponse("private")


class DeviceDetail(OwnerScopedMixin, DetailView):
    model = EmailAddress
    owner_field = "user"

    def render_to_response(self, context, **kwargs):
        return HttpResponse(self.object.email)


class DeviceList(OwnerScopedMixin, ListView):
    model = EmailAddress
    owner_field = "user"

    def render_to_response(self, context, **kwargs):
        return HttpResponse(",".join(str(device.pk) for device in self.object_list))


class DeviceDelete(OwnerScopedMixin, DeleteView):
    model = EmailAddress
    owner_field = "user"
    success_url = "/devices/"


# The project's own routes (login, home, error pages), plus these views.
urlpatterns = [
    *project_urls.urlpatterns,
    path("private/", Private.as_view()),
    path("devices/", DeviceList.as_view()),
    path("devices/<int:pk>/", DeviceDetail.as_view()),
    path("devices/<int:pk>/delete/", DeviceDelete.as_view()),
]


def enrol_device(user):
    """One object of the user's own (an extra email address)."""
    return EmailAddress.objects.create(user=user, email=f"second-{user.pk}@example.com")


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)


def test_anonymous_visitor_is_sent_to_login_and_back(client):
    response = client.get("/private/", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/private/"


def test_signed_in_user_gets_the_page(client, user):
    client.force_login(user)

    assert client.get("/private/", secure=True).content == b"private"


def test_owner_sees_their_object(client, user):
    device = enrol_device(user)
    client.force_login(user)

    assert client.get(f"/devices/{device.pk}/", secure=True).status_code == 200


def test_another_users_object_is_not_found(client, user, other):
    theirs = enrol_device(other)
    client.force_login(user)

    assert client.get(f"/devices/{theirs.pk}/", secure=True).status_code == 404


def test_another_users_object_cannot_be_deleted(client, user, other):
    theirs = enrol_device(other)
    client.force_login(user)

    response = client.post(f"/devices/{theirs.pk}/delete/", secure=True)

    assert response.status_code == 404
    assert EmailAddress.objects.filter(pk=theirs.pk).exists()


def test_list_holds_only_the_users_own_objects(client, user, other):
    mine = enrol_device(user)
    enrol_device(other)
    client.force_login(user)

    listed = set(client.get("/devices/", secure=True).content.decode().split(","))
    assert listed == {
        str(pk) for pk in EmailAddress.objects.filter(user=user).values_list("pk", flat=True)
    }
    assert str(mine.pk) in listed


def test_anonymous_visitor_cannot_reach_owned_objects(client, other):
    theirs = enrol_device(other)

    response = client.get(f"/devices/{theirs.pk}/", secure=True)

    assert response.status_code == 302

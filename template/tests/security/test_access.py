"""Deny by default (security.access, security.mixins): a signed-in user unless a view
says it is public, owners' objects only, and permissions that answer 403, logged.

The views below use the test app's Attachment (tests/testapp), a model that belongs to
a user; an app's own views use the helpers the same way (README, "Adding a view safely").
"""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.http import HttpResponse
from django.urls import path
from django.views.generic import ListView

from config import urls as project_urls
from security.access import has_permissions, is_owner, owned
from security.mixins import OwnerScopedMixin, PermissionRequiredMixin
from tests.conftest import PASSWORD
from tests.security.test_log import only
from tests.testapp.models import Attachment

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

AUDIT = "testapp.view_attachment"


def unmarked(request):
    return HttpResponse("for signed-in users")


@login_not_required
def public(request):
    """Public: the test's page for anyone."""
    return HttpResponse("for anyone")


class AttachmentAudit(PermissionRequiredMixin, ListView[Attachment]):
    model = Attachment
    permission_required = AUDIT

    def render_to_response(self, context, **kwargs):
        return HttpResponse(",".join(item.name for item in self.object_list))


class MyAttachments(OwnerScopedMixin, ListView[Attachment]):
    model = Attachment

    def render_to_response(self, context, **kwargs):
        return HttpResponse(",".join(item.name for item in self.object_list))


# The project's own routes (login, error pages) and 403 handler, plus these views.
handler403 = project_urls.handler403
urlpatterns = [
    *project_urls.urlpatterns,
    path("unmarked/", unmarked),
    path("public/", public),
    path("audit/", AttachmentAudit.as_view()),
    path("mine/", MyAttachments.as_view()),
]


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)


def attachment(owner, name: str) -> Attachment:
    return Attachment.objects.create(owner=owner, name=name, file=f"attachments/{name}")


def auditor(user):
    """The user, given the permission through a role, as people get it."""
    role = Group.objects.create(name="Attachment auditor")
    role.permissions.add(Permission.objects.get(codename="view_attachment"))
    user.groups.add(role)
    return user


def test_a_view_nobody_marked_sends_anonymous_visitors_to_log_in(client):
    response = client.get("/unmarked/", secure=True)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/unmarked/"


def test_a_view_nobody_marked_opens_for_a_signed_in_user(client, user):
    client.force_login(user)

    assert client.get("/unmarked/", secure=True).content == b"for signed-in users"


def test_a_view_marked_public_opens_for_anyone(client):
    assert client.get("/public/", secure=True).content == b"for anyone"


def test_a_user_without_the_permission_gets_403(client, user):
    client.force_login(user)

    assert client.get("/audit/", secure=True).status_code == 403


def test_the_refusal_is_a_security_event(client, user, security_lines):
    client.force_login(user)

    client.get("/audit/", secure=True)

    fields = only(security_lines, "permission_denied")
    assert (fields["user_id"], fields["path"]) == (str(user.pk), "/audit/")


def test_a_role_with_the_permission_opens_the_view(client, user, other):
    attachment(other, "theirs.pdf")
    client.force_login(auditor(user))

    assert client.get("/audit/", secure=True).content == b"theirs.pdf"


def test_anonymous_visitors_are_sent_to_log_in_before_any_permission_check(client):
    response = client.get("/audit/", secure=True)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_owner_scoping_keeps_only_the_users_own(client, user, other):
    attachment(user, "mine.pdf")
    attachment(other, "theirs.pdf")
    client.force_login(user)

    assert client.get("/mine/", secure=True).content == b"mine.pdf"


def test_an_anonymous_visitor_owns_nothing(user):
    attachment(user, "mine.pdf")

    assert list(owned(Attachment.objects.all(), AnonymousUser())) == []


def test_ownership_follows_the_owner_field(user, other):
    item = attachment(user, "mine.pdf")

    assert (is_owner(user, item), is_owner(other, item)) == (True, False)


def test_an_inactive_user_holds_no_permission(user):
    auditor(user)
    user.is_active = False

    assert not has_permissions(user, AUDIT)

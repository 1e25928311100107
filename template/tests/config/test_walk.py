"""Deny by default, proved for every URL: the walk (tests/walk.py) over the project's routes.

Each route is requested by an anonymous visitor, by another signed-in user without any
permission, and by the owner of the objects it shows. The test fails on a view that is
open without being marked public with a reason, shows another user's object, or names
a permission that a user without it gets past. Run it alone to see the table:

    uv run pytest tests/config/test_walk.py -s

The tests below it break each rule on purpose, in a URL configuration of their own, and
watch the walk catch it.
"""

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from django.views.generic import DetailView

from tests.testapp.models import Attachment
from tests.walk import Walk

pytestmark = pytest.mark.django_db


def test_every_url_is_signed_in_only_owner_scoped_or_public_on_purpose(media_root):
    walk = Walk().run()

    print("\n" + walk.table())
    assert walk.problems == [], "\n".join(walk.problems) + "\n\n" + walk.table()
    assert all(row.url for row in walk.rows)


# --- The walk fails where it should ----------------------------------------------------


@login_not_required
def open_without_a_reason(request):
    return HttpResponse("anyone")


class AnyonesAttachment(DetailView[Attachment]):
    """Shows any attachment to anyone signed in: its queryset is not the owner's."""

    model = Attachment

    def render_to_response(self, context, **kwargs):
        return HttpResponse(self.object.name)


def attachment_by_id(request, pk):
    return HttpResponse(Attachment.objects.get(pk=pk).name)


urlpatterns = [
    path("open/", open_without_a_reason, name="open"),
    path("attachments/<int:pk>/", AnyonesAttachment.as_view(), name="anyones"),
    path("by-id/<int:pk>/", attachment_by_id, name="by-id"),
]


@override_settings(LOGIN_URL="/login/")
def walk_of_these_urls() -> Walk:
    return Walk(
        factories={
            "testapp.Attachment": lambda owner: Attachment.objects.create(
                owner=owner, name="walk.pdf", file="attachments/walk.pdf"
            )
        }
    ).run()


def problem_of(walk: Walk, route: str) -> str:
    found = [problem for problem in walk.problems if f"({route})" in problem]
    assert len(found) == 1, f"expected one problem for {route}: {walk.problems}"
    return found[0]


@pytest.mark.urls(__name__)
def test_walk_catches_a_public_view_that_says_nowhere_why():
    assert "says nowhere why" in problem_of(walk_of_these_urls(), "open")


@pytest.mark.urls(__name__)
def test_walk_catches_a_view_that_shows_another_users_object():
    assert "shows another user's object" in problem_of(walk_of_these_urls(), "anyones")


@pytest.mark.urls(__name__)
def test_walk_catches_an_object_it_cannot_tie_to_an_owner():
    assert "cannot tell whose object" in problem_of(walk_of_these_urls(), "by-id")


@pytest.mark.urls(__name__)
def test_walk_catches_a_library_entry_no_url_uses():
    with override_settings(PUBLIC_LIBRARY_VIEWS={"gone": "a view a library no longer has"}):
        walk = walk_of_these_urls()

    assert any("lists 'gone'" in problem for problem in walk.problems), walk.problems

"""The rendered project's URL walk catches a view a team adds without protecting it.

A copy of the default render gets what a team adds in its first week, in the places the
project fences for it: an app, `notes`, with its routes and its walk factory. One view
is done right (the owner's own notes); two are done wrong on purpose: a view marked
public that says nowhere why, and a detail view that shows any user's note. The
render's own walk (tests/config/test_walk.py) must fail, naming exactly those two.

Slow: it runs the render's suite, in the render's environment.
"""

import shutil
from pathlib import Path
from textwrap import dedent

import pytest

from tests.support.releases import add_below
from tests.support.renders import Renders, run

pytestmark = pytest.mark.slow

# The render's walk over its whole URL configuration (not the walk's own self-tests).
WALK_TEST = ("tests/config/test_walk.py", "-k", "every_url")
NOTES_APP = {
    "notes/__init__.py": "",
    "notes/apps.py": dedent(
        """\
        from django.apps import AppConfig


        class NotesConfig(AppConfig):
            name = "notes"
            default_auto_field = "django.db.models.BigAutoField"
        """
    ),
    "notes/models.py": dedent(
        """\
        from django.conf import settings
        from django.db import models


        class Note(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
            text = models.TextField()
        """
    ),
    "notes/migrations/__init__.py": "",
    "notes/migrations/0001_initial.py": dedent(
        """\
        from django.conf import settings
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = [migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
            operations = [
                migrations.CreateModel(
                    name="Note",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("text", models.TextField()),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE, to=settings.AUTH_USER_MODEL
                            ),
                        ),
                    ],
                ),
            ]
        """
    ),
    "notes/views.py": dedent(
        """\
        from django.contrib.auth.decorators import login_not_required
        from django.http import HttpResponse
        from django.views.generic import DetailView

        from notes.models import Note
        from security.mixins import OwnerScopedMixin


        class MyNote(OwnerScopedMixin, DetailView):
            model = Note

            def render_to_response(self, context, **kwargs):
                return HttpResponse(self.object.text)


        class AnyNote(DetailView):
            model = Note

            def render_to_response(self, context, **kwargs):
                return HttpResponse(self.object.text)


        @login_not_required
        def changelog(request):
            return HttpResponse("what we shipped")
        """
    ),
    "notes/urls.py": dedent(
        """\
        from django.urls import path

        from notes import views

        app_name = "notes"
        urlpatterns = [
            path("mine/<int:pk>/", views.MyNote.as_view(), name="mine"),
            path("any/<int:pk>/", views.AnyNote.as_view(), name="any"),
            path("changelog/", views.changelog, name="changelog"),
        ]
        """
    ),
    "tests/notes/__init__.py": "",
    "tests/notes/walk.py": dedent(
        """\
        from notes.models import Note

        FACTORIES = {"notes.Note": lambda owner: Note.objects.create(owner=owner, text="mine")}
        """
    ),
}


@pytest.fixture(scope="module")
def team_project(renders: Renders, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the render, a copy of it with the notes app added), the render synced."""
    render = renders.sync("default")
    project = tmp_path_factory.mktemp("team") / "site"
    shutil.copytree(render, project, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__"))
    for name, text in NOTES_APP.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    add_below(project / "config" / "settings.py", "# --- Your apps:", '    "notes",')
    add_below(project / "config" / "urls.py", "# --- Your routes:",
              '    path("notes/", include("notes.urls")),')  # fmt: skip
    return render, project


def test_the_walk_catches_the_team_s_unprotected_views(team_project):
    render, project = team_project

    result = run([str(render / ".venv" / "bin" / "pytest"), "-q", *WALK_TEST], cwd=project)

    assert result.returncode == 1, result.stdout[-4000:] + result.stderr[-2000:]
    problems = [line for line in result.stdout.splitlines() if "(notes:" in line]
    assert any("/notes/changelog/ (notes:changelog): is marked login_not_required but says "
               "nowhere why" in line for line in problems), result.stdout[-4000:]  # fmt: skip
    assert any("/notes/any/<int:pk>/ (notes:any): shows another user's object: answers 200"
               in line for line in problems), result.stdout[-4000:]  # fmt: skip
    assert not [line for line in problems if "(notes:mine)" in line], problems

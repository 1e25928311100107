"""The example role: a document auditor lists everyone's documents and opens none of them.

The role is declared in documents/roles.py and created by migration 0002, so the test
database, like every environment, has it already.
"""

import pytest
from django.contrib.auth.models import Group

from documents.models import Document
from documents.roles import AUDITOR
from tests.conftest import PASSWORD
from tests.security.test_log import only

pytestmark = pytest.mark.django_db

AUDIT_URL = "/documents/audit/"


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user(email="grace@example.com", password=PASSWORD)


@pytest.fixture
def auditor(django_user_model):
    person = django_user_model.objects.create_user(email="audit@example.com", password=PASSWORD)
    person.groups.add(Group.objects.get(name=AUDITOR.name))
    return person


def document(owner, name: str) -> Document:
    return Document.objects.create(owner=owner, name=name, size=1, file=f"documents/{name}")


def test_the_migration_creates_the_role_with_exactly_its_permissions():
    role = Group.objects.get(name=AUDITOR.name)

    granted = {f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()}
    assert granted == set(AUDITOR.permissions)


def test_an_auditor_lists_every_users_documents(client, auditor, user, other):
    document(user, "ada.pdf")
    document(other, "grace.pdf")
    client.force_login(auditor)

    page = client.get(AUDIT_URL, secure=True).content.decode()

    assert "ada.pdf" in page
    assert "grace.pdf" in page


def test_the_audit_list_links_to_no_file(client, auditor, user):
    item = document(user, "ada.pdf")
    client.force_login(auditor)

    page = client.get(AUDIT_URL, secure=True).content.decode()

    assert f"/documents/{item.pk}/" not in page
    assert item.file.name not in page


def test_an_auditor_cannot_download_another_users_document(client, auditor, user):
    item = document(user, "ada.pdf")
    client.force_login(auditor)

    assert client.get(f"/documents/{item.pk}/", secure=True).status_code == 404


def test_a_user_without_the_role_gets_403_logged(client, user, security_lines):
    client.force_login(user)

    response = client.get(AUDIT_URL, secure=True)

    assert response.status_code == 403
    assert only(security_lines, "permission_denied")["path"] == AUDIT_URL


def test_the_documents_page_links_to_the_audit_for_auditors_only(client, auditor, user):
    client.force_login(auditor)
    as_auditor = client.get("/documents/", secure=True).content.decode()
    client.force_login(user)
    as_user = client.get("/documents/", secure=True).content.decode()

    assert f'href="{AUDIT_URL}"' in as_auditor
    assert f'href="{AUDIT_URL}"' not in as_user

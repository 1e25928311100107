"""The project's URLconf plus the test app's upload form (tests only)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from tests.testapp.views import AttachmentUpload

UPLOAD_PATH = "/attachments/"

urlpatterns = [path(UPLOAD_PATH.strip("/") + "/", AttachmentUpload.as_view()), *project_urlpatterns]

"""List, upload and download a user's own documents; anyone else's is a 404.

Auditors (the role in documents/roles.py) also list everyone's, and open none of them.
"""

from typing import Any, cast

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, View
from django.views.generic.detail import SingleObjectMixin

from documents.forms import DocumentForm
from documents.models import DOCUMENT_TYPES, Document
from media.uploads import content_headers, describe
from security.mixins import OwnerScopedMixin, PermissionRequiredMixin
from users.models import User


@method_decorator(never_cache, name="dispatch")
class DocumentListView(OwnerScopedMixin, ListView[Document]):
    """The user's documents, and the upload form (a refused file is a form error, 400)."""

    model = Document

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", DocumentForm())
        kwargs["accepted_types"] = describe(DOCUMENT_TYPES)
        kwargs["max_size"] = settings.UPLOAD_MAX_SIZE
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            form.instance.owner = cast(User, request.user)  # OwnerScopedMixin: signed in
            form.save()
            return redirect("documents:list")
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(never_cache, name="dispatch")
class DocumentDownloadView(OwnerScopedMixin, SingleObjectMixin[Document], View):
    """The owner's file: a redirect to a short-lived signed link on S3.

    On a development machine (files on local disk, with no URL of their own) the view
    streams the file itself, with the same headers S3 would send.
    """

    model = Document

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        document = self.get_object()
        if isinstance(document.file.storage, FileSystemStorage):
            content_type, disposition = content_headers(document.file.name or "")
            response = FileResponse(document.file.open("rb"), content_type=content_type)
            response["Content-Disposition"] = disposition
            return response
        return HttpResponseRedirect(document.file.url)


@method_decorator(never_cache, name="dispatch")
class DocumentAuditView(PermissionRequiredMixin, ListView[Document]):
    """Every user's documents, for auditors: names, sizes, owners and dates, no files.

    Anyone without the permission gets 403, logged as a `permission_denied` event.
    """

    model = Document
    permission_required = "documents.audit_document"
    template_name = "documents/document_audit.html"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Document]:
        return super().get_queryset().select_related("owner")

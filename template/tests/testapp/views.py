from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.views import View

from security.mixins import LoginRequiredMixin
from tests.testapp.models import Attachment


class AttachmentForm(forms.ModelForm[Attachment]):
    class Meta:
        model = Attachment
        fields = ("file",)


class AttachmentUpload(LoginRequiredMixin, View):
    """POST one file as a form does: 302 when stored, 400 with the form's errors when not."""

    def post(self, request) -> HttpResponse:
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            return HttpResponse(str(form.errors), status=400)
        form.instance.owner = request.user
        form.instance.name = form.cleaned_data["file"].name
        form.save()
        return HttpResponseRedirect("/")

from typing import ClassVar

from django import forms

from documents.models import DOCUMENT_TYPES, Document
from media.uploads import KNOWN_TYPES


class DocumentForm(forms.ModelForm[Document]):
    """One file; the model field's UploadValidator checks it before anything is stored."""

    class Meta:
        model = Document
        fields = ("file",)
        widgets: ClassVar = {
            # A hint for the browser's file picker only; the server checks the content.
            "file": forms.FileInput(
                attrs={
                    "accept": ",".join(
                        f".{extension}"
                        for name in DOCUMENT_TYPES
                        for extension in KNOWN_TYPES[name].extensions
                    )
                }
            )
        }

    def save(self, commit: bool = True) -> Document:
        upload = self.cleaned_data["file"]
        self.instance.name = upload.name
        self.instance.size = upload.size
        document: Document = super().save(commit)
        return document

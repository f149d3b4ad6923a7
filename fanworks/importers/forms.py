from django import forms
from django.core.files.uploadedfile import UploadedFile

from fanworks.importers.parsers import IMPORTABLE_SUFFIXES
from fanworks.importers.safety import MAX_FILE_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Work file",
        help_text=(
            "An AO3 HTML or EPUB download, or a .txt or .md file (at most "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB). It becomes a draft you can review and post."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(IMPORTABLE_SUFFIXES)}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB."
            )
        if not (upload.name or "").lower().endswith(IMPORTABLE_SUFFIXES):
            raise forms.ValidationError(
                "Please choose an .html, .epub, .txt or .md file (one work per upload)."
            )
        return upload

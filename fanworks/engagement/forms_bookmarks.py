"""The bookmark forms, with AO3's field names (`bookmark[notes]`, `external_work[url]` …) so
AO3 clients and muscle memory both work. Templates print the inputs with AO3's ids
(`#bookmark_notes`, `#bookmark_tag_string`, `#bookmark_rec`, `#bookmark_private`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from fanworks.accounts.models import Pseud, User
from fanworks.core.numbers import is_plain_number
from fanworks.engagement.actions import BookmarkData, ExternalWorkData
from fanworks.engagement.models import Bookmark
from fanworks.tags.models import RATINGS
from fanworks.tags.validation import split_tag_list

# Long enough for any real list of tags; longer input is refused before it is split.
MAX_TAG_STRING_LENGTH = 20_000


class BookmarkForm(forms.Form):
    notes = forms.CharField(required=False, strip=False)
    tag_string = forms.CharField(required=False)
    rec = forms.BooleanField(required=False)
    private = forms.BooleanField(required=False)
    pseud_id = forms.CharField(required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.pseuds = list(Pseud.objects.filter(user=user).order_by("-is_default", "name"))

    def add_prefix(self, field_name: str) -> str:
        return f"bookmark[{field_name}]"

    @classmethod
    def for_bookmark(cls, bookmark: Bookmark, *, user: User) -> "BookmarkForm":
        tags = getattr(bookmark, "tag_list", None)
        if tags is None:
            tags = list(bookmark.tags.order_by("name"))
        names = [tag.name for tag in tags] + split_tag_list(bookmark.private_tag_names)
        return cls(
            user=user,
            initial={
                "notes": bookmark.notes,
                "tag_string": ", ".join(names),
                "rec": bookmark.rec,
                "private": bookmark.private,
                "pseud_id": str(bookmark.pseud_id),
            },
        )

    def clean_tag_string(self) -> str:
        value: str = self.cleaned_data.get("tag_string") or ""
        if len(value) > MAX_TAG_STRING_LENGTH:
            raise ValidationError(
                f"Please keep the tags under {MAX_TAG_STRING_LENGTH:,} characters in all."
            )
        return value

    def clean_pseud_id(self) -> Pseud:
        raw = (self.cleaned_data.get("pseud_id") or "").strip()
        if not raw:
            default = next((p for p in self.pseuds if p.is_default), None)
            if default is None and self.pseuds:
                default = self.pseuds[0]
            if default is None:
                raise ValidationError("You have no pseud to bookmark as.")
            return default
        chosen = next((p for p in self.pseuds if is_plain_number(raw) and str(p.pk) == raw), None)
        if chosen is None:
            raise ValidationError("Please choose one of your own pseuds.")
        return chosen

    @property
    def pseud(self) -> Pseud:
        pseud: Pseud = self.cleaned_data["pseud_id"]
        return pseud

    def bookmark_data(self) -> BookmarkData:
        data = self.cleaned_data
        return BookmarkData(
            notes=data.get("notes") or "",
            tag_names=split_tag_list(data.get("tag_string") or ""),
            rec=bool(data.get("rec")),
            private=bool(data.get("private")),
        )

    def selected_pseud_id(self) -> str:
        """The pseud chosen in the menu, to show the form again as it was sent."""
        value = self["pseud_id"].value()
        return str(value) if value else ""


class ExternalWorkForm(forms.Form):
    url = forms.CharField(required=False)
    title = forms.CharField(required=False)
    creator = forms.CharField(required=False)
    summary = forms.CharField(required=False, strip=False)
    fandoms = forms.CharField(required=False)
    rating = forms.CharField(required=False)

    ratings = RATINGS

    def add_prefix(self, field_name: str) -> str:
        return f"external_work[{field_name}]"

    def external_data(self) -> ExternalWorkData:
        data = self.cleaned_data
        return ExternalWorkData(
            url=data.get("url") or "",
            title=data.get("title") or "",
            creator=data.get("creator") or "",
            summary=data.get("summary") or "",
            fandoms=data.get("fandoms") or "",
            rating=data.get("rating") or "",
        )


def attach_errors(forms_by_field: dict[str, forms.Form], error: ValidationError) -> None:
    """Put an action's ValidationError beside the fields it names (else on the first form)."""
    first = next(iter(forms_by_field.values()))
    if not hasattr(error, "error_dict"):
        first.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form = forms_by_field.get(name)
        if form is None:
            first.add_error(None, messages)
        else:
            form.add_error(name, messages)

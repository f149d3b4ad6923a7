"""Posting forms. They only parse input; the rules live in works.actions so the API shares them."""

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from fanworks.accounts.models import User
from fanworks.core.numbers import is_plain_number
from fanworks.tags.models import CATEGORIES, RATINGS, WARNINGS
from fanworks.tags.validation import split_tag_list
from fanworks.works.actions import ChapterData, WorkData
from fanworks.works.cocreator_forms import invite_cocreators_field, invited_names
from fanworks.works.gift_actions import split_recipients
from fanworks.works.gift_queries import gift_names_for_form
from fanworks.works.languages import LANGUAGES
from fanworks.works.models import (
    MAX_CHAPTER_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_SERIES_TITLE_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    CommentPermission,
    Work,
)
from fanworks.works.queries import tag_names_by_type
from fanworks.works.related_forms import add_parent_fields, parents_data
from fanworks.works.related_queries import parent_links_for_form
from fanworks.works.series_queries import user_series_choices, work_series_for_form

TAG_HELP = "Separate tags with commas."


def _tag_input(label: str, *, required: bool = False, tag_type: str, help_text: str = TAG_HELP):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        # Tags are checked one by one in actions; this only stops absurd payloads early.
        max_length=20_000,
        widget=forms.TextInput(
            attrs={
                "data-autocomplete": tag_type,
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )


class ChapterFieldsMixin(forms.Form):
    chapter_title = forms.CharField(label="Chapter title", required=False, max_length=20_000)
    chapter_summary = forms.CharField(
        label="Chapter summary", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    chapter_notes = forms.CharField(
        label="Chapter notes", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    chapter_endnotes = forms.CharField(
        label="Chapter end notes", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    content = forms.CharField(
        label="Work text",
        strip=False,
        help_text=(
            "Write HTML or plain text; a blank line starts a new paragraph. "
            f"Between 10 and {MAX_CHAPTER_LENGTH:,} characters."
        ),
        widget=forms.Textarea(attrs={"rows": 20, "class": "chapter-text"}),
    )

    def chapter_data(self) -> ChapterData:
        data = self.cleaned_data
        return ChapterData(
            content=data["content"],
            title=data.get("chapter_title", ""),
            summary=data.get("chapter_summary", ""),
            notes=data.get("chapter_notes", ""),
            endnotes=data.get("chapter_endnotes", ""),
        )


# Action error keys → the form field that shows them.
CHAPTER_ERROR_FIELDS = {
    "content": "content",
    "title": "chapter_title",
    "summary": "chapter_summary",
    "notes": "chapter_notes",
    "endnotes": "chapter_endnotes",
}
WORK_ERROR_FIELDS = {"pseud_ids": "pseuds"}  # series_id and new_series_title match their fields


def attach_errors(form: forms.Form, error: ValidationError, mapping: dict[str, str]) -> None:
    """Show an action's ValidationError next to the fields it is about."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages in error.message_dict.items():
        name = mapping.get(key, key)
        form.add_error(name if name in form.fields else None, messages)


class WorkForm(forms.Form):
    """Metadata of a work; with `include_chapter`, also the first chapter (posting a new work)."""

    title = forms.CharField(
        label="Work title",
        max_length=20_000,
        help_text=f"Up to {MAX_TITLE_LENGTH} characters.",
    )
    pseuds = forms.MultipleChoiceField(
        label="Creator/Pseud(s)",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Please choose at least one of your pseuds to credit."},
    )
    invite_cocreators = invite_cocreators_field()
    rating = forms.ChoiceField(
        label="Rating",
        choices=[("", "Choose a rating")] + [(r, r) for r in RATINGS],
        error_messages={"required": "Please choose a rating."},
    )
    warnings = forms.MultipleChoiceField(
        label="Archive Warnings",
        choices=[(w, w) for w in WARNINGS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Please choose at least one archive warning."},
    )
    categories = forms.MultipleChoiceField(
        label="Categories",
        choices=[(c, c) for c in CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    fandoms = _tag_input("Fandoms", required=True, tag_type="fandom")
    relationships = _tag_input("Relationships", tag_type="relationship")
    characters = _tag_input("Characters", tag_type="character")
    freeforms = _tag_input("Additional Tags", tag_type="freeform")
    summary = forms.CharField(
        label="Summary",
        required=False,
        help_text=f"Up to {MAX_SUMMARY_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notes = forms.CharField(
        label="Notes (at the beginning)",
        required=False,
        help_text=f"Up to {MAX_NOTES_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    endnotes = forms.CharField(
        label="End notes",
        required=False,
        help_text=f"Up to {MAX_NOTES_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    language = forms.ChoiceField(label="Language", choices=[("", "Choose a language"), *LANGUAGES])
    expected_chapters = forms.CharField(
        label="Expected number of chapters",
        required=False,
        initial="1",
        max_length=10,
        help_text='A number, or "?" if you don\'t know yet.',
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )
    restricted = forms.BooleanField(label="Only show your work to registered users", required=False)
    comment_permission = forms.ChoiceField(
        label="Who can comment on this work",
        choices=CommentPermission.choices,
        initial=CommentPermission.REGISTERED,
        widget=forms.RadioSelect,
    )
    moderate_comments = forms.BooleanField(
        label="Enable comment moderation (comments appear only after you approve them)",
        required=False,
    )
    # "Add to series": one of the user's series, or a new one by title (see _work_fields.html).
    series_id = forms.TypedChoiceField(
        label="Add to one of your series", required=False, coerce=int, empty_value=None
    )
    new_series_title = forms.CharField(
        label="Or start a new series called",
        required=False,
        max_length=20_000,
        help_text=f"Up to {MAX_SERIES_TITLE_LENGTH} characters.",
    )
    gift_recipients = forms.CharField(
        label="Gift this work to",
        required=False,
        max_length=5_000,
        help_text=(
            "Separate names with commas. A pseud or username on the archive gets the gift in "
            "their gifts; any other name is shown as written."
        ),
    )
    remove_series = forms.TypedMultipleChoiceField(
        label="Remove this work from",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: User, work: Work | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        series_field = self.fields["series_id"]
        assert isinstance(series_field, forms.TypedChoiceField)
        series_field.choices = [("", "Choose a series"), *user_series_choices(user)]
        remove_field = self.fields["remove_series"]
        assert isinstance(remove_field, forms.TypedMultipleChoiceField)
        remove_field.choices = work_series_for_form(work) if work is not None else []
        # "Parent works" rows (works.related_forms), and boxes to remove the ones named.
        add_parent_fields(self, parent_links_for_form(work) if work is not None else [])
        pseuds = list(user.pseuds.all())
        pseud_field = self.fields["pseuds"]
        assert isinstance(pseud_field, forms.MultipleChoiceField)
        pseud_field.choices = [(str(p.pk), p.name) for p in pseuds]
        if not self.is_bound and not self.initial.get("pseuds"):
            self.initial["pseuds"] = [str(p.pk) for p in pseuds if p.is_default]

    def clean_expected_chapters(self) -> int | None:
        value = self.cleaned_data["expected_chapters"].strip()
        if value in {"", "?"}:
            return None
        if not is_plain_number(value) or int(value) < 1:
            raise ValidationError('Please enter a number of chapters (1 or more) or "?".')
        return int(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("series_id") and (cleaned.get("new_series_title") or "").strip():
            self.add_error(
                "new_series_title", "Choose one of your series or name a new one, not both."
            )
        return cleaned

    def work_data(self) -> WorkData:
        data = self.cleaned_data
        return WorkData(
            title=data["title"],
            rating=data["rating"],
            warnings=list(data["warnings"]),
            categories=list(data["categories"]),
            fandoms=split_tag_list(data["fandoms"]),
            relationships=split_tag_list(data["relationships"]),
            characters=split_tag_list(data["characters"]),
            freeforms=split_tag_list(data["freeforms"]),
            summary=data["summary"],
            notes=data["notes"],
            endnotes=data["endnotes"],
            language=data["language"],
            restricted=data["restricted"],
            comment_permission=data["comment_permission"],
            moderate_comments=data["moderate_comments"],
            expected_chapters=data["expected_chapters"],
            pseud_ids=[int(pk) for pk in data["pseuds"]],
            series_id=data.get("series_id"),
            new_series_title=data.get("new_series_title", ""),
            remove_series_ids=list(data.get("remove_series", [])),
            gift_recipients=split_recipients(data.get("gift_recipients", "")),
            parents=parents_data(data),
            remove_related_ids=list(data.get("remove_related", [])),
            invite_cocreators=invited_names(self),
        )

    @staticmethod
    def initial_for(work: Work) -> dict[str, Any]:
        names = tag_names_by_type(work)
        return {
            "title": work.title,
            "pseuds": [str(c.pseud_id) for c in work.creatorships.all()],
            "rating": (names.get("rating") or [""])[0],
            "warnings": names.get("warning", []),
            "categories": names.get("category", []),
            "fandoms": ", ".join(names.get("fandom", [])),
            "relationships": ", ".join(names.get("relationship", [])),
            "characters": ", ".join(names.get("character", [])),
            "freeforms": ", ".join(names.get("freeform", [])),
            "summary": work.summary,
            "notes": work.notes,
            "endnotes": work.endnotes,
            "language": work.language,
            "expected_chapters": "?"
            if work.expected_chapters is None
            else str(work.expected_chapters),
            "restricted": work.restricted,
            "comment_permission": work.comment_permission,
            "moderate_comments": work.moderate_comments,
            "gift_recipients": gift_names_for_form(work),
        }


class NewWorkForm(ChapterFieldsMixin, WorkForm):
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("creation_key", uuid.uuid4())
        # The first chapter's own summary and notes are added later, as on AO3.
        for name in ("chapter_summary", "chapter_notes", "chapter_endnotes"):
            del self.fields[name]


class EditWorkForm(WorkForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ChapterForm(ChapterFieldsMixin, forms.Form):
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    invite_cocreators = invite_cocreators_field()

    def chapter_data(self) -> ChapterData:
        data = super().chapter_data()
        data.invite_cocreators = invited_names(self)
        return data

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content"].label = "Chapter text"
        if not self.is_bound and "version" not in self.initial:
            self.initial.setdefault("creation_key", uuid.uuid4())

    @staticmethod
    def initial_for(chapter: Any) -> dict[str, Any]:
        return {
            "chapter_title": chapter.title,
            "chapter_summary": chapter.summary,
            "chapter_notes": chapter.notes,
            "chapter_endnotes": chapter.endnotes,
            "content": chapter.content,
            "version": chapter.version,
        }

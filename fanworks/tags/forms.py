"""Wrangling forms. They only parse input; the rules live in tags.wrangling (the actions)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from fanworks.tags.models import MAX_TAG_LENGTH, Tag, TagType
from fanworks.tags.queries import tag_by_name


def _name_field(label: str, *, help_text: str = "", autocomplete: str = "") -> forms.CharField:
    attrs = {"autocomplete": "off", "spellcheck": "false"}
    if autocomplete:
        attrs["data-autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        max_length=MAX_TAG_LENGTH * 2,
        help_text=help_text,
        widget=forms.TextInput(attrs=attrs),
    )


class TagNameForm(forms.Form):
    """One field naming an existing tag; `clean_name` finds it (as `cleaned_data["tag"]`)."""

    name = _name_field("Tag")

    def __init__(self, *args: Any, label: str = "", autocomplete: str = "", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["name"].label = label
        if autocomplete:
            self.fields["name"].widget.attrs["data-autocomplete"] = autocomplete

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        name = data.get("name")
        if name:
            tag = tag_by_name(name)
            if tag is None:
                self.add_error("name", f"There is no tag called “{name}”.")
            else:
                data["tag"] = tag
        return data


class RenameForm(forms.Form):
    name = _name_field("New name")


class ChangeTypeForm(forms.Form):
    type = forms.ChoiceField(
        label="Type",
        choices=[
            (t.value, t.label)
            for t in (
                TagType.FANDOM,
                TagType.CHARACTER,
                TagType.RELATIONSHIP,
                TagType.FREEFORM,
                TagType.UNSORTED,
            )
        ],
    )


BULK_ACTIONS = [
    ("make_canonical", "Make canonical"),
    ("make_synonym", "Make synonym of the tag below"),
    ("attach_fandom", "Attach to this fandom"),
    ("add_metatag", "Add the tag below as a metatag"),
    ("mark_unwrangleable", "Mark unwrangleable"),
]
BULK_NEEDS_TARGET = {"make_synonym", "add_metatag"}


class BulkWrangleForm(forms.Form):
    """The bins' bulk form: which tags (limited to the bin's fandom), what to do, and the
    tag a synonym or metatag action points at."""

    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.none(),
        label="Tags",
        error_messages={
            "required": "Please tick at least one tag.",
            "invalid_choice": "One of the ticked tags isn't in this fandom any more; "
            "reload the page and try again.",
        },
    )
    bulk_action = forms.ChoiceField(
        label="Action",
        choices=BULK_ACTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose what to do with the ticked tags."},
    )
    target = forms.CharField(
        label="Tag name (for “Make synonym of” and “Add metatag”)",
        required=False,
        max_length=MAX_TAG_LENGTH * 2,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, scope: QuerySet[Tag], **kwargs: Any):
        super().__init__(*args, **kwargs)
        tags_field = self.fields["tags"]
        assert isinstance(tags_field, forms.ModelMultipleChoiceField)
        tags_field.queryset = scope

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("bulk_action") in BULK_NEEDS_TARGET:
            name = (data.get("target") or "").strip()
            if not name:
                self.add_error("target", "Please enter the name of the tag to use.")
            else:
                tag = tag_by_name(name)
                if tag is None:
                    self.add_error("target", f"There is no tag called “{name}”.")
                else:
                    data["target_tag"] = tag
        return data


class AssignWranglerForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150)
    fandom = _name_field("Fandom", autocomplete="fandom")

    def clean(self) -> dict[str, Any]:
        from fanworks.accounts.models import User

        super().clean()
        data = self.cleaned_data
        username = data.get("username")
        if username:
            user = User.objects.filter(username__iexact=username.strip()).first()
            if user is None:
                self.add_error("username", f"There is no user called “{username}”.")
            else:
                data["user"] = user
        name = data.get("fandom")
        if name:
            fandom = tag_by_name(name)
            if fandom is None or fandom.type != TagType.FANDOM:
                self.add_error("fandom", f"There is no fandom tag called “{name}”.")
            else:
                data["fandom_tag"] = fandom
        return data


class LogFilterForm(forms.Form):
    tag = forms.CharField(label="Tag name contains", required=False, max_length=MAX_TAG_LENGTH)
    wrangler = forms.CharField(label="Wrangler (username)", required=False, max_length=150)


def attach_error(form: forms.Form, field: str | None, error: ValidationError) -> None:
    """Put an action's refusal next to the field it is about."""
    for message in error.messages:
        form.add_error(field, message)

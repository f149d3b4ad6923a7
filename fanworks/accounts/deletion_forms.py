"""The account deletion form: a choice for each work, one for how orphaned works are
credited, one for comments, and (on the confirmation step) the password."""

from typing import Any

from django import forms

from fanworks.accounts.deletion_actions import DELETE, ORPHAN
from fanworks.accounts.models import User
from fanworks.works.models import Work
from fanworks.works.orphan_forms import KEEP_NAME, NAME_CHOICES

KEEP_COMMENTS = "keep"
DELETE_COMMENTS = "delete"
WORK_FIELD_PREFIX = "work_"


class DeleteAccountForm(forms.Form):
    name_choice = forms.ChoiceField(
        label="Orphaned works are credited",
        choices=NAME_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    comments = forms.ChoiceField(
        label="Your comments",
        choices=[
            (KEEP_COMMENTS, "Keep them, shown as from a deleted account"),
            (DELETE_COMMENTS, "Delete them"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose what happens to your comments."},
    )
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, works: list[Work], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.works = works
        for work in works:
            choices = (
                [(ORPHAN, "Orphan it"), (DELETE, "Delete it")]
                if work.posted
                else [(DELETE, "Delete it (a draft can't be orphaned)")]
            )
            self.fields[f"{WORK_FIELD_PREFIX}{work.pk}"] = forms.ChoiceField(
                label=work.title if work.posted else f"{work.title} (draft)",
                choices=choices,
                widget=forms.RadioSelect,
                initial=ORPHAN if work.posted else DELETE,
                error_messages={"required": "Please choose orphan or delete for this work."},
            )

    def work_fields(self) -> list[forms.BoundField]:
        return [self[f"{WORK_FIELD_PREFIX}{work.pk}"] for work in self.works]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        orphaning = any(
            cleaned.get(f"{WORK_FIELD_PREFIX}{work.pk}") == ORPHAN for work in self.works
        )
        if orphaning and not cleaned.get("name_choice"):
            self.add_error("name_choice", "Please choose how your orphaned works are credited.")
        if cleaned.get("confirm"):
            password = cleaned.get("password") or ""
            if not password:
                self.add_error("password", "Please enter your password to confirm.")
            elif not self.user.check_password(password):
                self.add_error("password", "That password is not right.")
        return cleaned

    def choices(self) -> dict[int, str]:
        return {work.pk: self.cleaned_data[f"{WORK_FIELD_PREFIX}{work.pk}"] for work in self.works}

    @property
    def keep_names(self) -> bool:
        return bool(self.cleaned_data.get("name_choice") == KEEP_NAME)

    @property
    def keep_comments(self) -> bool:
        return bool(self.cleaned_data["comments"] == KEEP_COMMENTS)

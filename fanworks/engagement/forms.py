"""Comment forms. They only parse input; the rules live in engagement.comment_actions."""

import uuid
from typing import Any

from django import forms

from fanworks.accounts.models import Pseud, User
from fanworks.engagement.models import MAX_COMMENT_LENGTH, MAX_GUEST_NAME_LENGTH


class CommentForm(forms.Form):
    """AO3's comment form: its fields are posted as `comment[comment_content]`,
    `comment[name]` and `comment[email]` (guests), plus `comment[creation_key]` so a double
    submit posts one comment and `comment[pseud_id]` for users with several pseuds.

    Length is checked by the action, not here, so an over-long comment comes back with the
    text kept and the reason next to it."""

    comment_content = forms.CharField(
        label="Comment",
        required=False,
        strip=False,
        help_text=f"Plain text or HTML, up to {MAX_COMMENT_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 6, "class": "comment-text"}),
    )
    name = forms.CharField(label="Guest name", required=False, max_length=20_000)
    email = forms.CharField(
        label="Guest e-mail",
        required=False,
        max_length=20_000,
        help_text="Never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    pseud_id = forms.TypedChoiceField(label="Comment as", coerce=int, required=False)
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, user: User | None, target: str = "new", editing: bool = False, **kw: Any
    ) -> None:
        # `target` keeps element ids apart when a page holds several forms (reply forms).
        kw.setdefault("auto_id", f"comment_{target}_%s")
        super().__init__(*args, **kw)
        self.user = user
        if user is not None or editing:
            del self.fields["name"], self.fields["email"]
        else:
            self.fields["name"].widget.attrs["maxlength"] = MAX_GUEST_NAME_LENGTH
        self.pseuds: list[Pseud] = list(user.pseuds.all()) if user is not None else []
        if editing or len(self.pseuds) < 2:
            del self.fields["pseud_id"]
        else:
            field = self.fields["pseud_id"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(p.pk, p.name) for p in self.pseuds]
            self.initial.setdefault("pseud_id", next(p.pk for p in self.pseuds if p.is_default))
        if editing:
            del self.fields["creation_key"]
        elif not self.is_bound:
            self.initial.setdefault("creation_key", uuid.uuid4())

    def add_prefix(self, field_name: str) -> str:
        return f"comment[{field_name}]"

    def pseud(self) -> Pseud | None:
        """The pseud chosen (or the user's only one); None for a guest."""
        if self.user is None:
            return None
        chosen = self.cleaned_data.get("pseud_id")
        for pseud in self.pseuds:
            if pseud.pk == chosen or (chosen is None and pseud.is_default):
                return pseud
        return None

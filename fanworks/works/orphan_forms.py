"""Forms for orphaning works and deleting an account: they parse input; the rules live in
works.orphan_actions and accounts.deletion_actions."""

from typing import Any

from django import forms

KEEP_NAME = "keep"
ANONYMOUS = "anonymous"
NAME_CHOICES = [
    (KEEP_NAME, "Keep my pseud's name on the work (it moves to orphan_account under that name)"),
    (ANONYMOUS, "Make the work anonymous (credited to orphan_account)"),
]


class OrphanChoiceForm(forms.Form):
    """Orphaning one work: how it is credited afterwards."""

    name_choice = forms.ChoiceField(
        label="How should the work be credited?",
        choices=NAME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose whether to keep your pseud's name."},
    )

    @property
    def keep_names(self) -> bool:
        return bool(self.cleaned_data["name_choice"] == KEEP_NAME)


class OrphanWorksForm(OrphanChoiceForm):
    """Orphaning several works from the user's page; `confirm` is the second step."""

    works = forms.TypedMultipleChoiceField(
        label="Works to orphan",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Please choose at least one work to orphan.",
            "invalid_choice": "You can only orphan posted works of your own.",
        },
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, work_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        works_field = self.fields["works"]
        assert isinstance(works_field, forms.TypedMultipleChoiceField)
        works_field.choices = work_choices

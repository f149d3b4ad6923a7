"""The "Invite co-creators" field the work, chapter and series forms share. It only parses;
works.cocreator_actions decides who may be invited and says why not, next to this field."""

from django import forms

from fanworks.works.cocreator_queries import split_names


def invite_cocreators_field() -> forms.CharField:
    return forms.CharField(
        label="Invite co-creators",
        required=False,
        max_length=2_000,
        help_text=(
            "Other users' pseuds, separated by commas: a username, a pseud, or “pseud "
            "(username)”. They are credited once they accept."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def invited_names(form: forms.Form) -> list[str]:
    return split_names(form.cleaned_data.get("invite_cocreators") or "")

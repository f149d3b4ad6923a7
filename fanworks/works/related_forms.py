"""The work form's "Parent works" rows. They only parse input; works.related_actions resolves
and checks the parents, and its errors are keyed by these field names."""

from typing import Any

from django import forms

from fanworks.works.languages import LANGUAGES
from fanworks.works.models import RelationType
from fanworks.works.related_actions import ParentData

# Blank rows offered on the form; more parents can be added by editing the work again.
PARENT_ROWS = 3
PARENT_FIELDS = ("relation", "work", "url", "title", "creator", "language")


def add_parent_fields(form: forms.Form, link_choices: list[tuple[int, str]]) -> None:
    """Add PARENT_ROWS rows of parent fields to `form`, and (editing) boxes to remove the
    parents already named (`link_choices`)."""
    for row in range(1, PARENT_ROWS + 1):
        form.fields[f"parent_{row}_relation"] = forms.ChoiceField(
            label="Relation",
            choices=RelationType.choices,
            initial=RelationType.INSPIRED_BY,
            required=False,
        )
        form.fields[f"parent_{row}_work"] = forms.CharField(
            label="Work on this archive (address or number)",
            required=False,
            max_length=2_000,
        )
        form.fields[f"parent_{row}_url"] = forms.CharField(
            label="Or an external work's address", required=False, max_length=20_000
        )
        form.fields[f"parent_{row}_title"] = forms.CharField(
            label="External work's title", required=False, max_length=20_000
        )
        form.fields[f"parent_{row}_creator"] = forms.CharField(
            label="External work's creator", required=False, max_length=20_000
        )
        form.fields[f"parent_{row}_language"] = forms.ChoiceField(
            label="External work's language",
            choices=[("", "Choose a language"), *LANGUAGES],
            required=False,
        )
    form.fields["remove_related"] = forms.TypedMultipleChoiceField(
        label="Remove these parent works",
        required=False,
        coerce=int,
        choices=link_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    # The template walks the rows (it cannot build field names itself).
    setattr(form, "parent_rows", parent_rows(form))  # noqa: B010


def parent_rows(form: forms.Form) -> list[list[Any]]:
    """The bound fields of each row, for the template."""
    return [
        [form[f"parent_{row}_{name}"] for name in PARENT_FIELDS]
        for row in range(1, PARENT_ROWS + 1)
    ]


def parents_data(cleaned: dict[str, Any]) -> list[ParentData]:
    return [
        ParentData(
            row=row,
            relation=cleaned.get(f"parent_{row}_relation") or RelationType.INSPIRED_BY,
            work=cleaned.get(f"parent_{row}_work", ""),
            url=cleaned.get(f"parent_{row}_url", ""),
            title=cleaned.get(f"parent_{row}_title", ""),
            creator=cleaned.get(f"parent_{row}_creator", ""),
            language=cleaned.get(f"parent_{row}_language", ""),
        )
        for row in range(1, PARENT_ROWS + 1)
    ]

"""Forms for series pages. They only parse; the rules live in works.series_actions."""

import uuid
from typing import Any

from django import forms

from fanworks.works.cocreator_forms import invite_cocreators_field, invited_names
from fanworks.works.models import (
    MAX_SERIES_NOTES_LENGTH,
    MAX_SERIES_SUMMARY_LENGTH,
    MAX_SERIES_TITLE_LENGTH,
    Series,
)
from fanworks.works.series_actions import SeriesData


class SeriesForm(forms.Form):
    # Generous field limits: the actions give the precise message, and the raw text comes back.
    title = forms.CharField(
        label="Series title",
        max_length=20_000,
        help_text=f"Up to {MAX_SERIES_TITLE_LENGTH} characters.",
    )
    summary = forms.CharField(
        label="Description",
        required=False,
        help_text=f"Up to {MAX_SERIES_SUMMARY_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        help_text=f"Up to {MAX_SERIES_NOTES_LENGTH:,} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    complete = forms.BooleanField(label="This series is complete", required=False)
    invite_cocreators = invite_cocreators_field()

    def series_data(self) -> SeriesData:
        data = self.cleaned_data
        return SeriesData(
            title=data["title"],
            summary=data["summary"],
            notes=data["notes"],
            complete=data["complete"],
            invite_cocreators=invited_names(self),
        )

    @staticmethod
    def initial_for(series: Series) -> dict[str, Any]:
        return {
            "title": series.title,
            "summary": series.summary,
            "notes": series.notes,
            "complete": series.complete,
        }


class NewSeriesForm(SeriesForm):
    creation_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("creation_key", uuid.uuid4())

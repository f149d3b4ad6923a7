"""Who may do what to series. Refusals look like a missing page from outside (404), as for
works; the `_refusal` functions give the reason shown on forms."""

from fanworks.works.models import Series, Work
from fanworks.works.permissions import is_creator
from fanworks.works.queries import Viewer
from fanworks.works.series_queries import is_series_creator


def can_edit_series(viewer: Viewer, series: Series) -> bool:
    """Editing, deleting and reordering a series: its creators only."""
    return is_series_creator(viewer, series)


def add_work_refusal(viewer: Viewer, series: Series, work: Work) -> str | None:
    """Why `viewer` may not add `work` to `series`: both must be theirs."""
    if not viewer.is_authenticated:
        return "Please log in to manage series."
    if not is_series_creator(viewer, series):
        return "You can only add works to your own series."
    if not is_creator(viewer, work):
        return "You can only add your own works to a series."
    return None


def can_remove_work_from_series(viewer: Viewer, series: Series, work: Work) -> bool:
    """A creator of the series, or of the work (who may always take their work out)."""
    return is_series_creator(viewer, series) or is_creator(viewer, work)

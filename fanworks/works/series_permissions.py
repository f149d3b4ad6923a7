"""Who may do what to series. Refusals look like a missing page from outside (404), as for
works. Adding and removing works is checked by works.series_actions itself (a creator of the
series, or of the work for removing it)."""

from fanworks.works.models import Series
from fanworks.works.queries import Viewer
from fanworks.works.series_queries import is_series_creator


def can_edit_series(viewer: Viewer, series: Series) -> bool:
    """Editing, deleting, reordering and managing a series: its creators only."""
    return is_series_creator(viewer, series)

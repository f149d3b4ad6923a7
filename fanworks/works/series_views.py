"""Series pages at AO3's URLs: /series/ID (and its edit, delete and manage pages),
/series/new and /users/NAME/series. Missing and forbidden both answer 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fanworks.accounts.models import User
from fanworks.accounts.queries import user_by_name
from fanworks.core.numbers import is_plain_number
from fanworks.core.pagination import paginate, requested_page
from fanworks.engagement.queries import series_bookmark_count
from fanworks.engagement.views_bookmarks import bookmark_for_series_page
from fanworks.works import series_actions
from fanworks.works.forms import attach_errors
from fanworks.works.models import Series
from fanworks.works.series_forms import NewSeriesForm, SeriesForm
from fanworks.works.series_permissions import can_edit_series
from fanworks.works.series_queries import (
    all_parts,
    series_for_viewer,
    series_of_user,
    series_parts,
    series_totals,
)

# Position numbers typed on the manage page: at most this many digits each.
MAX_POSITION_DIGITS = 6


def _series_or_404(request: HttpRequest, series_id: int) -> Series:
    series = series_for_viewer(request.user, series_id)
    if series is None:
        raise Http404("No such series")
    return series


def _editable_series(request: HttpRequest, series_id: int) -> Series:
    series = _series_or_404(request, series_id)
    if not can_edit_series(request.user, series):
        raise Http404("No such series")
    return series


def series_show(request: HttpRequest, series_id: int) -> HttpResponse:
    series = _series_or_404(request, series_id)
    page = paginate(series_parts(request.user, series), requested_page(request))
    context = {
        "series": series,
        "creators": [ship.pseud for ship in series.creatorships.all()],
        "totals": series_totals(request.user, series),
        "page": page,
        "as_creator": can_edit_series(request.user, series),
        "series_bookmarking": bookmark_for_series_page(request, series),
        "series_bookmark_count": series_bookmark_count(request.user, series),
    }
    return render(request, "works/series_show.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def series_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    status = 200
    if request.method == "POST":
        form = NewSeriesForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                series = series_actions.series_create(
                    user=user,
                    data=form.series_data(),
                    creation_key=form.cleaned_data.get("creation_key"),
                )
            except ValidationError as error:
                attach_errors(form, error, {})
            else:
                messages.success(request, "Series created. Add works to it from their edit page.")
                return redirect(series.get_absolute_url())
    else:
        form = NewSeriesForm()
    return render(request, "works/series_form.html", {"form": form, "new": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request: HttpRequest, series_id: int) -> HttpResponse:
    series = _editable_series(request, series_id)
    status = 200
    if request.method == "POST":
        form = SeriesForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                series_actions.series_update(
                    series=series,
                    data=form.series_data(),
                    user=request.user if isinstance(request.user, User) else None,
                )
            except ValidationError as error:
                attach_errors(form, error, {})
            else:
                messages.success(request, "Series updated.")
                return redirect(series.get_absolute_url())
    else:
        form = SeriesForm(initial=SeriesForm.initial_for(series))
    return render(
        request, "works/series_form.html", {"form": form, "series": series}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_delete(request: HttpRequest, series_id: int) -> HttpResponse:
    series = _editable_series(request, series_id)
    if request.method == "POST":
        title = series.title
        series_actions.series_delete(series=series)
        messages.success(request, f"The series “{title}” was deleted. Its works were kept.")
        return redirect(f"/users/{request.user.get_username()}/series")
    return render(request, "works/series_delete.html", {"series": series})


def _positions(request: HttpRequest, work_ids: list[int]) -> dict[int, int] | None:
    """Each work's typed position, or None when one is missing or not a small number."""
    positions: dict[int, int] = {}
    for work_id in work_ids:
        value = request.POST.get(f"position_{work_id}", "").strip()
        if not is_plain_number(value) or len(value) > MAX_POSITION_DIGITS:
            return None
        positions[work_id] = int(value)
    return positions


@login_required
@require_http_methods(["GET", "POST"])
def series_manage(request: HttpRequest, series_id: int) -> HttpResponse:
    """Reorder the works by typing positions, or take one out (works without JavaScript)."""
    series = _editable_series(request, series_id)
    parts = all_parts(series)
    error = ""
    status = 200
    if request.method == "POST":
        status = 400
        if "remove" in request.POST:
            removed = request.POST.get("remove", "").strip()
            work = next(
                (p.work for p in parts if is_plain_number(removed) and p.work_id == int(removed)),
                None,
            )
            if work is None:
                error = "That work is not in this series."
            else:  # a creator of the series (see _editable_series) may remove any of its works
                assert isinstance(request.user, User)
                series_actions.series_remove_work(user=request.user, series=series, work=work)
                messages.success(request, f"“{work.title}” was removed from the series.")
                return redirect(f"/series/{series.pk}/manage")
        else:
            ids = [part.work_id for part in parts]
            positions = _positions(request, ids)
            if positions is None:
                error = "Please give every work a position number."
            elif sorted(positions.values()) != list(range(1, len(ids) + 1)):
                error = f"Please number the works 1 to {len(ids)}, each number once."
            else:
                ordered = sorted(ids, key=lambda work_id: positions[work_id])
                try:
                    series_actions.series_reorder(series=series, ordered_work_ids=ordered)
                except ValidationError as problem:
                    # The series changed meanwhile (a work added or removed): show it afresh.
                    error = " ".join(problem.messages)
                    status = 409
                    parts = all_parts(series)
                else:
                    messages.success(request, "Series order updated.")
                    return redirect(series.get_absolute_url())
    return render(
        request,
        "works/series_manage.html",
        {"series": series, "parts": parts, "error": error},
        status=status,
    )


def user_series(request: HttpRequest, username: str) -> HttpResponse:
    """AO3's /users/NAME/series: the series crediting the user, as the viewer may see them."""
    user = user_by_name(username)
    if user is None:
        raise Http404("No such user")
    if user.username != username and request.method in {"GET", "HEAD"}:
        return redirect(f"{user.get_absolute_url()}/series")
    page = paginate(series_of_user(request.user, user), requested_page(request))
    context = {
        "profile_user": user,
        "page": page,
        "is_owner": request.user.is_authenticated and request.user.pk == user.pk,
    }
    return render(request, "works/user_series.html", context)

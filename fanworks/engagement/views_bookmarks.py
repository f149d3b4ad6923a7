"""Bookmark pages at AO3's URLs: a work's bookmarks and the form to bookmark it, one bookmark,
its edit and delete, a user's bookmarks, all bookmarks, and external works."""

import math
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from fanworks.accounts.models import User
from fanworks.accounts.queries import user_by_name
from fanworks.core.pagination import Page
from fanworks.core.views import login_redirect
from fanworks.engagement import bookmark_search
from fanworks.engagement.actions import (
    bookmark_delete,
    bookmark_save,
    bookmark_update,
    external_bookmark_save,
)
from fanworks.engagement.forms_bookmarks import BookmarkForm, ExternalWorkForm, attach_errors
from fanworks.engagement.models import Bookmark
from fanworks.engagement.permissions import (
    bookmark_refusal,
    can_delete_bookmark,
    can_edit_bookmark,
    series_bookmark_refusal,
)
from fanworks.engagement.queries import (
    MAX_ROW_ID,
    attach_bookmark_data,
    bookmark_for_viewer,
    bookmark_page_items,
    external_work_for_viewer,
    own_bookmark_of,
    visible_bookmarks,
)
from fanworks.search.forms import BadSearch
from fanworks.works.models import Series, Work
from fanworks.works.queries import work_to_act_on
from fanworks.works.series_queries import series_for_viewer

BOOKMARK_FIELDS = ("notes", "tag_string", "rec", "private", "pseud_id")
CREATED = "Bookmark was successfully created. It should appear in bookmark listings shortly."


def _work_or_404(request: HttpRequest, work_id: int) -> Work:
    work = work_to_act_on(request.user, work_id) if 0 < work_id <= MAX_ROW_ID else None
    if work is None:
        raise Http404("No such work")
    return work


def _form_page(
    request: HttpRequest,
    *,
    form: BookmarkForm,
    work: Work | None = None,
    bookmark: Bookmark | None = None,
    external_form: ExternalWorkForm | None = None,
    series: Series | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "work": work,
        "series": series,
        "bookmark": bookmark,
        "external_form": external_form,
    }
    return render(request, "engagement/bookmark_form.html", context, status=status)


# A work and a series are bookmarked the same way; `target` is `{"work": …}` or `{"series": …}`.
Target = dict[str, Any]


def _save_posted_bookmark(
    request: HttpRequest, user: User, target: Target, refusal: str | None, back: str
) -> HttpResponse:
    """The bookmark form posted for `target`: save it and show the bookmark, or go `back` with
    the refusal, or show the form again with the reasons beside the fields."""
    if refusal is not None:
        messages.error(request, refusal)
        return HttpResponseRedirect(back)
    form = BookmarkForm(request.POST, user=user)
    if form.is_valid():
        try:
            bookmark = bookmark_save(
                user=user, pseud=form.pseud, data=form.bookmark_data(), **target
            )
        except ValidationError as error:
            attach_errors(dict.fromkeys(BOOKMARK_FIELDS, form), error)
        else:
            messages.success(request, CREATED)
            return HttpResponseRedirect(f"/bookmarks/{bookmark.pk}")
    return _form_page(request, form=form, status=400, **target)


def _new_bookmark_page(
    request: HttpRequest, user: User, target: Target, refusal: str | None, back: str
) -> HttpResponse:
    """The empty bookmark form for `target`, or the reader's own bookmark of it to edit."""
    if refusal is not None:
        messages.error(request, refusal)
        return HttpResponseRedirect(back)
    existing = own_bookmark_of(user, **target)
    if existing is not None:
        return HttpResponseRedirect(f"/bookmarks/{existing.pk}/edit")
    return _form_page(request, form=BookmarkForm(user=user), **target)


def _bookmarking(user: User, target: Target) -> dict[str, Any]:
    """What a work or series page's bookmark box shows: the reader's bookmark and its form."""
    existing = own_bookmark_of(user, **target)
    if existing is not None:
        form = BookmarkForm.for_bookmark(existing, user=user)
    else:
        form = BookmarkForm(user=user)
    return {"existing": existing, "form": form}


# ---------------------------------------------------------------------------------------------
# Bookmarking a work


@require_http_methods(["GET", "HEAD", "POST"])
def work_bookmarks(request: HttpRequest, work_id: int) -> HttpResponse:
    """GET: the work's bookmarks. POST: bookmark the work (or update the reader's bookmark of
    it: a double submit makes one bookmark)."""
    if request.method != "POST":
        work = _work_or_404(request, work_id)
        if not work.posted or work.hidden_by_admin:  # its creator may open it; nobody lists it
            raise Http404("No such work")
        return _listing(
            request,
            scope={"work_id": work.pk},
            heading_suffix=f"for {work.title}",
            action=f"/works/{work.pk}/bookmarks",
            work_tags=False,
            extra={"bookmarked_work": work},
        )
    if not isinstance(request.user, User):
        return login_redirect(request)
    work = _work_or_404(request, work_id)
    refusal = bookmark_refusal(request.user, work)
    return _save_posted_bookmark(
        request, request.user, {"work": work}, refusal, f"/works/{work.pk}"
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def work_bookmark_new(request: HttpRequest, work_id: int) -> HttpResponse:
    """The bookmark form on its own page (the work page carries the same form)."""
    if not isinstance(request.user, User):
        return login_redirect(request)
    work = _work_or_404(request, work_id)
    refusal = bookmark_refusal(request.user, work)
    return _new_bookmark_page(request, request.user, {"work": work}, refusal, f"/works/{work.pk}")


# ---------------------------------------------------------------------------------------------
# Bookmarking a series


def _series_or_404(request: HttpRequest, series_id: int) -> Series:
    """The series, when `request.user` may see it (a work of it they may see, or they made
    it); missing, forbidden and out-of-range ids all 404."""
    series = series_for_viewer(request.user, series_id) if 0 < series_id <= MAX_ROW_ID else None
    if series is None:
        raise Http404("No such series")
    return series


@require_http_methods(["GET", "HEAD", "POST"])
def series_bookmarks(request: HttpRequest, series_id: int) -> HttpResponse:
    """GET: the series' bookmarks. POST: bookmark the series (or update the reader's bookmark
    of it: a double submit makes one bookmark)."""
    series = _series_or_404(request, series_id)
    if request.method != "POST":
        return _listing(
            request,
            scope={"series_id": series.pk},
            heading_suffix=f"for {series.title}",
            action=f"/series/{series.pk}/bookmarks",
            work_tags=False,
            extra={"bookmarked_series": series},
        )
    if not isinstance(request.user, User):
        return login_redirect(request)
    refusal = series_bookmark_refusal(request.user, series)
    back = f"/series/{series.pk}"
    return _save_posted_bookmark(request, request.user, {"series": series}, refusal, back)


@never_cache
@require_http_methods(["GET", "HEAD"])
def series_bookmark_new(request: HttpRequest, series_id: int) -> HttpResponse:
    """The series bookmark form on its own page (the series page carries the same form)."""
    if not isinstance(request.user, User):
        return login_redirect(request)
    series = _series_or_404(request, series_id)
    refusal = series_bookmark_refusal(request.user, series)
    back = f"/series/{series.pk}"
    return _new_bookmark_page(request, request.user, {"series": series}, refusal, back)


def bookmark_for_series_page(request: HttpRequest, series: Series) -> dict[str, Any] | None:
    """What the series page's bookmark form needs (None for guests and for series that can't
    be bookmarked): the reader's own bookmark, if any, and the form filled in from it."""
    if not isinstance(request.user, User):
        return None
    if series_bookmark_refusal(request.user, series) is not None:
        return None
    return _bookmarking(request.user, {"series": series})


# ---------------------------------------------------------------------------------------------
# One bookmark


def _bookmark_or_404(request: HttpRequest, bookmark_id: int) -> Bookmark:
    bookmark = bookmark_for_viewer(request.user, bookmark_id)
    if bookmark is None:
        raise Http404("No such bookmark")
    return bookmark


@require_http_methods(["GET", "HEAD"])
def bookmark_show(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    bookmark = _bookmark_or_404(request, bookmark_id)
    context = {
        "bookmark": bookmark,
        "can_edit": can_edit_bookmark(request.user, bookmark),
        "can_delete": can_delete_bookmark(request.user, bookmark),
    }
    return render(request, "engagement/bookmark_show.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def bookmark_edit(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    if not isinstance(request.user, User):
        return login_redirect(request)
    bookmark = _bookmark_or_404(request, bookmark_id)
    if not can_edit_bookmark(request.user, bookmark):
        raise Http404("No such bookmark")
    work = getattr(bookmark, "listed_work", None)
    series = bookmark.series
    if request.method != "POST":
        form = BookmarkForm.for_bookmark(bookmark, user=request.user)
        return _form_page(request, form=form, work=work, series=series, bookmark=bookmark)
    form = BookmarkForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            bookmark_update(bookmark=bookmark, pseud=form.pseud, data=form.bookmark_data())
        except Bookmark.DoesNotExist:  # deleted in another tab meanwhile
            raise Http404("No such bookmark") from None
        except ValidationError as error:
            attach_errors(dict.fromkeys(BOOKMARK_FIELDS, form), error)
        else:
            messages.success(request, "Bookmark was successfully updated.")
            return HttpResponseRedirect(f"/bookmarks/{bookmark.pk}")
    return _form_page(request, form=form, work=work, series=series, bookmark=bookmark, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
def bookmark_delete_view(request: HttpRequest, bookmark_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes (the bookmarker, or an admin)."""
    if not isinstance(request.user, User):
        return login_redirect(request)
    bookmark = _bookmark_or_404(request, bookmark_id)
    if not can_delete_bookmark(request.user, bookmark):
        raise Http404("No such bookmark")
    if request.method != "POST":
        return render(request, "engagement/bookmark_delete.html", {"bookmark": bookmark})
    bookmark_delete(bookmark=bookmark)
    messages.success(request, "Bookmark was successfully deleted.")
    return HttpResponseRedirect(f"/users/{request.user.username}/bookmarks")


# ---------------------------------------------------------------------------------------------
# External works


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def external_work_new(request: HttpRequest) -> HttpResponse:
    """AO3's "Bookmark External Work": a work on another site and the bookmark, one form."""
    if not isinstance(request.user, User):
        return login_redirect(request)
    if request.method != "POST":
        return _form_page(
            request, form=BookmarkForm(user=request.user), external_form=ExternalWorkForm()
        )
    form = BookmarkForm(request.POST, user=request.user)
    external_form = ExternalWorkForm(request.POST)
    if form.is_valid() and external_form.is_valid():
        fields: dict[str, Any] = dict.fromkeys(BOOKMARK_FIELDS, form)
        fields.update(dict.fromkeys(external_form.fields, external_form))
        try:
            bookmark = external_bookmark_save(
                user=request.user,
                pseud=form.pseud,
                external=external_form.external_data(),
                data=form.bookmark_data(),
            )
        except ValidationError as error:
            attach_errors(fields, error)
        else:
            messages.success(request, CREATED)
            return HttpResponseRedirect(f"/bookmarks/{bookmark.pk}")
    return _form_page(request, form=form, external_form=external_form, status=400)


@require_http_methods(["GET", "HEAD"])
def external_work_show(request: HttpRequest, external_id: int) -> HttpResponse:
    external = external_work_for_viewer(request.user, external_id)
    if external is None:
        raise Http404("No such external work")
    return _listing(
        request,
        scope={"external_work_id": external.pk},
        heading_suffix=f"for {external.title}",
        action=f"/external_works/{external.pk}",
        work_tags=False,
        extra={"external_work": external},
        template="engagement/external_work.html",
    )


# ---------------------------------------------------------------------------------------------
# Listings


@require_http_methods(["GET", "HEAD"])
def bookmarks_index(request: HttpRequest) -> HttpResponse:
    return _listing(request, scope={}, heading_suffix="", action="/bookmarks", work_tags=True)


@require_http_methods(["GET", "HEAD"])
def user_bookmarks(request: HttpRequest, username: str) -> HttpResponse:
    # PostgreSQL refuses a NUL in a query; no username holds one.
    owner = user_by_name(username) if "\x00" not in username else None
    if owner is None:
        raise Http404("No such user")
    if owner.username != username:
        query = request.META.get("QUERY_STRING", "")
        path = f"/users/{owner.username}/bookmarks"
        return HttpResponseRedirect(f"{path}?{query}" if query else path)
    return _listing(
        request,
        scope={"owner_id": owner.pk},
        heading_suffix=f"by {owner.username}",
        action=f"/users/{owner.username}/bookmarks",
        work_tags=True,
        extra={
            "profile_user": owner,
            "is_owner": request.user.is_authenticated and request.user.pk == owner.pk,
        },
        main_class="bookmarks-index dashboard filtered",
    )


def _listing(
    request: HttpRequest,
    *,
    scope: dict[str, int],
    heading_suffix: str,
    action: str,
    work_tags: bool,
    extra: dict[str, Any] | None = None,
    template: str = "engagement/bookmarks.html",
    main_class: str = "bookmarks-index filtered",
) -> HttpResponse:
    """A page of bookmarks with the filter sidebar. Facets are counted when the reader
    filters or the page is one user's or one work's (a bounded set); the all-bookmarks page
    unfiltered shows the newest without counting every tag in the archive."""
    context: dict[str, Any] = {
        "heading_suffix": heading_suffix,
        "filter_action": action,
        "main_class": main_class,
        **(extra or {}),
    }
    try:
        filters = bookmark_search.read_bookmark_filters(request.GET)
    except BadSearch as error:
        empty = bookmark_search.BookmarkFilters(search=bookmark_search.BookmarkSearch())
        context.update(filter_error=str(error), page=None, **_sidebar(empty, None, work_tags))
        return render(request, template, context, status=400)
    search = filters.search
    for key, value in scope.items():
        setattr(search, key, value)
    faceted = bool(scope) or search.filtered
    result = bookmark_search.search(request.user, search, faceted=faceted)
    num_pages = max(1, math.ceil(result.total / search.per_page))
    if search.page > num_pages:
        raise Http404("No such page")
    # Through the visibility query: the search index may lag a change by a moment.
    shown = visible_bookmarks(request.user).filter(pk__in=result.bookmark_ids)
    by_id = bookmark_page_items(shown).in_bulk()
    items = [by_id[pk] for pk in result.bookmark_ids if pk in by_id]
    attach_bookmark_data(items, viewer=request.user)
    start = (search.page - 1) * search.per_page
    context.update(
        page=Page(
            items=items,
            number=search.page,
            num_pages=num_pages,
            count=result.total,
            start_index=start + 1 if result.total else 0,
            end_index=start + len(items),
        ),
        page_prefix=filters.page_prefix,
        filtered=search.filtered,
        facets_skipped=result.facets_skipped,
        total_capped=result.total_capped,
        max_faceted=bookmark_search.MAX_FACETED,
        **_sidebar(filters, result if faceted else None, work_tags),
    )
    return render(request, template, context)


def _sidebar(
    filters: bookmark_search.BookmarkFilters,
    result: bookmark_search.BookmarkResult | None,
    work_tags: bool,
) -> dict[str, Any]:
    values = filters.values
    empty = bookmark_search.BookmarkResult(bookmark_ids=[], total=0, facets={})
    return {
        "filters": filters,
        "facet_groups": bookmark_search.facet_groups(filters, result or empty, work_tags=work_tags),
        "sort_options": bookmark_search.SORT_LABELS,
        "sort_column": filters.sort_column,
        "with_work_tags": work_tags,
        "name_values": {
            key: values.get(bookmark_search.bs(key), "") for key in bookmark_search.NAME_PARAMS
        },
        "field_errors": {
            name.removeprefix("bookmark_search[").removesuffix("]"): message
            for name, message in filters.errors.items()
        },
        "rec_only": filters.search.rec_only,
        "with_notes": filters.search.with_notes,
    }


def bookmark_for_work_page(request: HttpRequest, work: Work) -> dict[str, Any] | None:
    """What the work page's bookmark form needs (None for guests and works that can't be
    bookmarked): the reader's own bookmark, if any, and the form filled in from it.
    """
    if not isinstance(request.user, User):
        return None
    if bookmark_refusal(request.user, work) is not None:
        return None
    return _bookmarking(request.user, {"work": work})

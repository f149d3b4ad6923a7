"""Pages for reading and posting works, at AO3's URLs."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fanworks.accounts.models import User
from fanworks.core.pagination import paginate, requested_page
from fanworks.engagement.actions import hit_record, reading_record
from fanworks.engagement.permissions import can_leave_kudos
from fanworks.engagement.queries import discount_muted_engagement, kudos_summary
from fanworks.engagement.views_bookmarks import bookmark_for_work_page
from fanworks.engagement.views_comments import comment_section
from fanworks.engagement.visitors import hit_visitor, is_bot
from fanworks.works import actions, queries
from fanworks.works.cocreator_queries import chapter_bylines
from fanworks.works.forms import (
    CHAPTER_ERROR_FIELDS,
    WORK_ERROR_FIELDS,
    ChapterForm,
    EditWorkForm,
    NewWorkForm,
    attach_errors,
)
from fanworks.works.models import Chapter, Work
from fanworks.works.permissions import check_edit_work, is_creator
from fanworks.works.related_views import related_for_work_page
from fanworks.works.series_queries import series_navigation
from fanworks.works.templatetags.work_tags import is_adult

ADULT_COOKIE = "view_adult"


def work_index(request: HttpRequest) -> HttpResponse:
    from fanworks.search import filters

    if filters.has_filters(request.GET):
        context, status = filters.filtered_listing(request, action="/works")
        return render(request, "works/index.html", context, status=status)
    from fanworks.search.queries import indexed_listing_page

    number = requested_page(request)
    # From the search index when it can answer: the database would count and skip through
    # every visible work for each page.
    page = indexed_listing_page(request.user, None, number)
    if page is None:
        page = paginate(queries.recent_works(request.user), number)
    context = filters.plain_sidebar(request, "/works")
    context["page"] = page
    return render(request, "works/index.html", context)


# ---------------------------------------------------------------------------------------------
# Reading


def _load_work(request: HttpRequest, work_id: int) -> Work | HttpResponse:
    """The work for this viewer, a redirect to log in for restricted works, or 404."""
    work = queries.work_for_viewer(request.user, work_id)
    if work is not None:
        return work
    if not request.user.is_authenticated and queries.is_restricted_public_work(work_id):
        query = urlencode({"restricted": "true", "return_to": request.get_full_path()})
        return HttpResponseRedirect(f"/users/login?{query}")
    raise Http404("No such work")


def _adult_gate(request: HttpRequest, work: Work, as_creator: bool) -> HttpResponse | None:
    """AO3's adult-content notice, unless the reader already agreed during this visit."""
    if as_creator or not is_adult(work):
        return None
    if request.GET.get("view_adult") == "true" or request.COOKIES.get(ADULT_COOKIE) == "true":
        return None
    return render(request, "works/adult_notice.html", {"work": work})


def _remember_adult_choice(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.GET.get("view_adult") == "true":
        # A session cookie: the choice lasts for this visit, as AO3's does.
        response.set_cookie(ADULT_COOKIE, "true", samesite="Lax", httponly=True)
    return response


def _render_work(
    request: HttpRequest,
    work: Work,
    chapters: list[Chapter],
    shown: list[Chapter],
    *,
    full_view: bool,
    main_class: str,
) -> HttpResponse:
    as_creator = is_creator(request.user, work)
    counts_as_hit = work.posted and not as_creator and not is_bot(request)
    if counts_as_hit and hit_record(work=work, visitor=hit_visitor(request)):
        work.hit_count += 1  # the page shows the count with this visit in it
    reader = request.user if isinstance(request.user, User) and not as_creator else None
    if reader is not None and (work.comment_count or work.bookmark_count):
        # The counts shown leave out users the reader mutes, as listings do.
        discount_muted_engagement([work], reader.pk)
    can_mark = reader is not None and work.posted
    marked_for_later = reader is not None and can_mark and reading_record(user=reader, work=work)
    index = chapters.index(shown[0]) if len(shown) == 1 and shown[0] in chapters else 0
    chapter_bylines(work, shown)  # "Chapter by …" where a chapter's creators differ
    context: dict[str, Any] = {
        "work": work,
        "chapters": chapters,
        "shown_chapters": shown,
        "full_view": full_view,
        "multi_chapter": len(chapters) > 1,
        "show_work_preface": full_view or index == 0,
        "show_afterword": full_view or index == len(chapters) - 1,
        "previous_chapter": chapters[index - 1] if not full_view and index > 0 else None,
        "next_chapter": chapters[index + 1]
        if not full_view and index + 1 < len(chapters)
        else None,
        "as_creator": as_creator,
        "main_class": main_class,
        "tag_names": queries.tag_names_by_type(work),
        "kudos": kudos_summary(work) if work.posted else None,
        "kudos_allowed": work.posted and can_leave_kudos(request.user, work),
        "can_mark": can_mark,
        "marked_for_later": marked_for_later,
        "comments": comment_section(request, work, shown, full_view=full_view),
        "bookmarking": bookmark_for_work_page(request, work),
        "series_navigation": series_navigation(request.user, work),
        "related": related_for_work_page(request.user, work),
    }
    return _remember_adult_choice(request, render(request, "works/show.html", context))


def _readable_chapters(
    request: HttpRequest, work_id: int
) -> tuple[Work, list[Chapter]] | HttpResponse:
    """The work and the chapters this viewer may read, or the response that stands in their
    way: a redirect to log in, or the adult-content notice. Missing and forbidden are 404."""
    loaded = _load_work(request, work_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    as_creator = is_creator(request.user, loaded)
    gate = _adult_gate(request, loaded, as_creator)
    if gate is not None:
        return gate
    chapters = queries.visible_chapters(loaded, as_creator=as_creator)
    if not chapters:
        raise Http404("No such work")
    return loaded, chapters


def work_show(request: HttpRequest, work_id: int) -> HttpResponse:
    readable = _readable_chapters(request, work_id)
    if isinstance(readable, HttpResponse):
        return readable
    work, chapters = readable
    full_view = request.GET.get("view_full_work") == "true"
    if len(chapters) > 1 and not full_view:
        query = "?view_adult=true" if request.GET.get("view_adult") == "true" else ""
        response = redirect(f"/works/{work.pk}/chapters/{chapters[0].pk}{query}")
        return _remember_adult_choice(request, response)
    return _render_work(request, work, chapters, chapters, full_view=True, main_class="works-show")


def chapter_show(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    readable = _readable_chapters(request, work_id)
    if isinstance(readable, HttpResponse):
        return readable
    work, chapters = readable
    chapter = next((c for c in chapters if c.pk == chapter_id), None)
    if chapter is None:
        raise Http404("No such chapter")
    return _render_work(
        request, work, chapters, [chapter], full_view=False, main_class="chapters-show"
    )


def chapter_by_id(request: HttpRequest, chapter_id: int) -> HttpResponse:
    """`/chapters/CID`, as AO3 clients ask for it; every check of the chapter page applies."""
    work_id = Chapter.objects.filter(pk=chapter_id).values_list("work_id", flat=True).first()
    if work_id is None:
        raise Http404("No such chapter")
    return chapter_show(request, work_id, chapter_id)


def work_navigate(request: HttpRequest, work_id: int) -> HttpResponse:
    loaded = _load_work(request, work_id)
    if isinstance(loaded, HttpResponse):
        return loaded
    work = loaded
    chapters = queries.visible_chapters(work, as_creator=is_creator(request.user, work))
    return render(request, "works/navigate.html", {"work": work, "chapters": chapters})


# ---------------------------------------------------------------------------------------------
# Posting and editing works


def _post_button(request: HttpRequest) -> str:
    """Which submit button was pressed: "post", "draft" or "preview"."""
    for choice in ("post", "draft", "preview"):
        if choice in request.POST:
            return choice
    return "post"


@login_required
@require_http_methods(["GET", "POST"])
def work_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert user.is_authenticated
    if request.method == "POST":
        form = NewWorkForm(request.POST, user=user)
        if form.is_valid():
            choice = _post_button(request)
            try:
                work = actions.work_create(
                    user=user,
                    data=form.work_data(),
                    chapter=form.chapter_data(),
                    post=choice == "post",
                    creation_key=form.cleaned_data.get("creation_key"),
                )
            except ValidationError as error:
                attach_errors(form, error, {**WORK_ERROR_FIELDS, **CHAPTER_ERROR_FIELDS})
            else:
                if choice == "preview":
                    return redirect(f"/works/{work.pk}/preview")
                if choice == "draft":
                    messages.success(request, "Draft saved. Only you can see it until you post it.")
                else:
                    messages.success(request, "Work successfully posted.")
                return redirect(work.get_absolute_url())
        status = 400
    else:
        form = NewWorkForm(user=user)
        status = 200
    return render(request, "works/new.html", {"form": form}, status=status)


def _editable_work(request: HttpRequest, work_id: int) -> Work:
    work = queries.work_for_viewer(request.user, work_id)
    if work is None:
        raise Http404("No such work")
    check_edit_work(request.user, work)
    return work


@login_required
@require_http_methods(["GET", "POST"])
def work_edit(request: HttpRequest, work_id: int) -> HttpResponse:
    user = request.user
    assert user.is_authenticated
    work = _editable_work(request, work_id)
    stale: Work | None = None
    status = 200
    if request.method == "POST":
        form = EditWorkForm(request.POST, user=user, work=work)
        if form.is_valid():
            try:
                actions.work_update(
                    user=user,
                    work=work,
                    data=form.work_data(),
                    expected_version=form.cleaned_data["version"],
                )
            except actions.StaleEdit as conflict:
                stale = queries.work_for_viewer(user, work.pk)
                # Keep the author's input, but on the newer version, so saving again is a
                # deliberate choice to replace the other edit.
                data = request.POST.copy()
                data["version"] = str(conflict.current.version)
                form = EditWorkForm(data, user=user, work=work)
                form.is_valid()
                status = 409
            except ValidationError as error:
                attach_errors(form, error, WORK_ERROR_FIELDS)
                status = 400
            else:
                messages.success(request, "Work successfully updated.")
                return redirect(work.get_absolute_url())
        else:
            status = 400
    else:
        form = EditWorkForm(
            user=user,
            work=work,
            initial={**EditWorkForm.initial_for(work), "version": work.version},
        )
    return render(
        request,
        "works/edit.html",
        {"form": form, "work": work, "stale_work": stale},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_delete(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    if request.method == "POST":
        title = work.title
        actions.work_delete(work=work)
        messages.success(request, f"“{title}” was deleted.")
        return redirect(f"/users/{request.user.get_username()}")
    return render(request, "works/delete.html", {"work": work})


@login_required
def work_preview(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    chapters = queries.visible_chapters(work, as_creator=True)
    context = {
        "work": work,
        "chapters": chapters,
        "shown_chapters": chapters,
        "full_view": True,
        "multi_chapter": len(chapters) > 1,
        "show_work_preface": True,
        "show_afterword": True,
        "as_creator": True,
        "preview": True,
        "main_class": "works-preview",
        "tag_names": queries.tag_names_by_type(work),
        "kudos": kudos_summary(work) if work.posted else None,
        "kudos_allowed": work.posted and can_leave_kudos(request.user, work),
    }
    return render(request, "works/show.html", context)


@login_required
@require_POST
def work_post(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    actions.work_post(work=work)
    messages.success(request, "Work successfully posted.")
    return redirect(work.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# Chapters


@login_required
@require_http_methods(["GET", "POST"])
def chapter_new(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _editable_work(request, work_id)
    status = 200
    if request.method == "POST":
        form = ChapterForm(request.POST)
        if form.is_valid():
            choice = _post_button(request)
            try:
                chapter = actions.chapter_create(
                    work=work,
                    data=form.chapter_data(),
                    post=choice == "post",
                    creation_key=form.cleaned_data.get("creation_key"),
                    user=request.user if isinstance(request.user, User) else None,
                )
            except ValidationError as error:
                attach_errors(form, error, CHAPTER_ERROR_FIELDS)
                status = 400
            else:
                if choice == "preview":
                    return redirect(f"/works/{work.pk}/chapters/{chapter.pk}/preview")
                if chapter.posted:
                    messages.success(request, "Chapter successfully posted.")
                else:
                    messages.success(request, "Chapter saved as a draft.")
                return redirect(chapter.get_absolute_url())
        else:
            status = 400
    else:
        form = ChapterForm()
    return render(
        request, "works/chapter_form.html", {"form": form, "work": work, "new": True}, status=status
    )


def _editable_chapter(request: HttpRequest, work_id: int, chapter_id: int) -> tuple[Work, Chapter]:
    work = _editable_work(request, work_id)
    chapter = get_object_or_404(Chapter, pk=chapter_id, work=work)
    return work, chapter


@login_required
@require_http_methods(["GET", "POST"])
def chapter_edit(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _editable_chapter(request, work_id, chapter_id)
    stale: Chapter | None = None
    status = 200
    if request.method == "POST":
        form = ChapterForm(request.POST)
        if form.is_valid() and form.cleaned_data.get("version"):
            try:
                actions.chapter_update(
                    chapter=chapter,
                    data=form.chapter_data(),
                    expected_version=form.cleaned_data["version"],
                    user=request.user if isinstance(request.user, User) else None,
                )
            except actions.StaleEdit as conflict:
                current = conflict.current
                assert isinstance(current, Chapter)
                stale = current
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = ChapterForm(data)
                form.is_valid()
                status = 409
            except ValidationError as error:
                attach_errors(form, error, CHAPTER_ERROR_FIELDS)
                status = 400
            else:
                messages.success(request, "Chapter successfully updated.")
                return redirect(chapter.get_absolute_url())
        else:
            if form.is_bound and not form.errors:
                form.add_error(None, "The form is missing its version; please reload the page.")
            status = 400
    else:
        form = ChapterForm(initial=ChapterForm.initial_for(chapter))
    return render(
        request,
        "works/chapter_form.html",
        {"form": form, "work": work, "chapter": chapter, "stale_chapter": stale},
        status=status,
    )


@login_required
def chapter_preview(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _editable_chapter(request, work_id, chapter_id)
    chapters = queries.visible_chapters(work, as_creator=True)
    context = {
        "work": work,
        "chapters": chapters,
        "shown_chapters": [chapter],
        "full_view": False,
        "multi_chapter": len(chapters) > 1,
        "show_work_preface": False,
        "show_afterword": False,
        "as_creator": True,
        "preview_chapter": chapter,
        "main_class": "chapters-preview",
        "tag_names": queries.tag_names_by_type(work),
        "kudos": kudos_summary(work) if work.posted else None,
        "kudos_allowed": work.posted and can_leave_kudos(request.user, work),
    }
    return render(request, "works/show.html", context)


@login_required
@require_POST
def chapter_post(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _editable_chapter(request, work_id, chapter_id)
    if not work.posted:
        actions.work_post(work=work)
    else:
        actions.chapter_post(chapter=chapter)
    messages.success(request, "Chapter successfully posted.")
    return redirect(chapter.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def chapter_delete(request: HttpRequest, work_id: int, chapter_id: int) -> HttpResponse:
    work, chapter = _editable_chapter(request, work_id, chapter_id)
    if request.method == "POST":
        try:
            actions.chapter_delete(chapter=chapter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(chapter.get_absolute_url())
        messages.success(request, "Chapter deleted.")
        return redirect(work.get_absolute_url())
    return render(request, "works/chapter_delete.html", {"work": work, "chapter": chapter})


@login_required
@require_http_methods(["GET", "POST"])
def chapters_manage(request: HttpRequest, work_id: int) -> HttpResponse:
    """Reorder chapters by giving each a position number (works without JavaScript)."""
    work = _editable_work(request, work_id)
    chapters = queries.visible_chapters(work, as_creator=True)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            positions = {
                chapter.pk: int(request.POST.get(f"position_{chapter.pk}", ""))
                for chapter in chapters
            }
        except ValueError:
            error = "Please give every chapter a position number."
        else:
            ordered = sorted(chapters, key=lambda c: (positions[c.pk], c.position))
            if sorted(positions.values()) != list(range(1, len(chapters) + 1)):
                error = f"Please number the chapters 1 to {len(chapters)}, each number once."
            else:
                actions.chapters_reorder(work=work, ordered_ids=[c.pk for c in ordered])
                messages.success(request, "Chapter order updated.")
                return redirect(f"/works/{work.pk}/navigate")
        status = 400
    return render(
        request,
        "works/chapters_manage.html",
        {"work": work, "chapters": chapters, "error": error},
        status=status,
    )

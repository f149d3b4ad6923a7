"""Wrangling pages: a wrangler's home, a fandom's bins, a tag's edit page and the log.

Views stay thin: find the tag, check permission (tags.permissions), call one action from
tags.wrangling, then redirect with a message (success) or show the page again with the action's
message next to the control it is about (refusal; nothing changed).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from fanworks.accounts.models import User
from fanworks.core.pagination import paginate, requested_page
from fanworks.core.views import login_redirect
from fanworks.tags import queries, wrangling
from fanworks.tags.forms import (
    BULK_ACTIONS,
    AssignWranglerForm,
    BulkWrangleForm,
    ChangeTypeForm,
    LogFilterForm,
    RenameForm,
    TagNameForm,
    attach_error,
)
from fanworks.tags.models import (
    PARENT_TYPES,
    WRANGLED_IN_FANDOM_TYPES,
    Tag,
    TagType,
    WranglingLogEntry,
)
from fanworks.tags.permissions import (
    can_assign_wranglers,
    can_read_wrangling_log,
    can_rename_freely,
    can_wrangle_fandom,
    check_wrangle_tag,
    is_admin,
    is_wrangler,
)
from fanworks.tags.views_pages import link_groups, plural_label

BIN_PAGE_SIZE = 50
HOME_PAGE_SIZE = 50
LOG_PAGE_SIZE = 50


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _tag_or_404(url_name: str) -> Tag:
    tag = queries.tag_by_url_name(url_name)
    if tag is None:
        raise Http404("No such tag")
    return tag


def edit_url(tag: Tag) -> str:
    return f"/tags/{tag.url_name}/edit"


def _query_string(request: HttpRequest, **changes: Any) -> str:
    """The current query string with some parameters replaced (empty values dropped)."""
    params = {key: value for key, value in request.GET.items() if key != "page"}
    params.update(changes)
    return urlencode({key: value for key, value in params.items() if value not in ("", None)})


# ---------------------------------------------------------------------------------------------
# A wrangler's home


@require_http_methods(["GET", "POST"])
def wrangler_home(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if user is None:
        return login_redirect(request)
    if not is_wrangler(user):
        raise PermissionDenied("Only tag wranglers can see this page.")
    admin = can_assign_wranglers(user)
    form = AssignWranglerForm() if admin else None
    status = 200
    if request.method == "POST":
        if not admin:
            raise PermissionDenied("Only admins assign wranglers.")
        form = AssignWranglerForm(request.POST)
        if form.is_valid():
            wrangler, fandom = form.cleaned_data["user"], form.cleaned_data["fandom_tag"]
            try:
                if request.POST.get("do") == "unassign":
                    wrangling.wrangler_unassign(actor=user, user=wrangler, fandom=fandom)
                    done = f"{wrangler.username} no longer wrangles {fandom.name}."
                else:
                    wrangling.wrangler_assign(actor=user, user=wrangler, fandom=fandom)
                    done = f"{wrangler.username} now wrangles {fandom.name}."
            except ValidationError as error:
                attach_error(form, "fandom", error)
            else:
                messages.success(request, done)
                return redirect("/tag_wranglers")
        status = 400
    page = paginate(
        queries.wrangler_fandoms(user, all_canonical=admin),
        requested_page(request),
        per_page=HOME_PAGE_SIZE,
    )
    ids = [fandom.pk for fandom in page.items]
    counts = queries.unwrangled_counts_by_fandom(ids)
    wranglers = queries.wranglers_of(ids) if admin else {}
    rows = [
        {
            "fandom": fandom,
            "counts": [(t, counts.get(fandom.pk, {}).get(t, 0)) for t in WRANGLED_IN_FANDOM_TYPES],
            "wranglers": wranglers.get(fandom.pk, []),
        }
        for fandom in page.items
    ]
    context = {
        "page": page,
        "rows": rows,
        "types": [plural_label(t) for t in WRANGLED_IN_FANDOM_TYPES],
        "admin": admin,
        "form": form,
        "jobs": queries.refilter_jobs(),
    }
    return render(request, "tags/wrangler_home.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# A fandom's bins and bulk wrangling


class _BulkFailure(Exception):
    def __init__(self, tag: Tag, error: ValidationError) -> None:
        super().__init__(tag.name)
        self.tag = tag
        self.error = error


def _bulk_one(user: User, fandom: Tag, action: str, tag: Tag, target: Tag | None) -> None:
    if action == "make_canonical":
        wrangling.tag_make_canonical(actor=user, tag=tag)
    elif action == "make_synonym":
        assert target is not None
        wrangling.tag_make_synonym(
            actor=user, tag=tag, canonical=target, allow_merge=is_admin(user)
        )
    elif action == "attach_fandom":
        if not tag.canonical:
            raise ValidationError(
                f"“{tag.name}” must be canonical before it can be attached to a fandom; "
                "make it canonical first."
            )
        wrangling.tag_link_parent(actor=user, child=tag, parent=fandom)
    elif action == "add_metatag":
        assert target is not None
        wrangling.tag_add_metatag(actor=user, sub=tag, meta=target)
    elif action == "mark_unwrangleable":
        wrangling.tag_set_unwrangleable(actor=user, tag=tag, unwrangleable=True)


def _bulk_apply(user: User, fandom: Tag, action: str, tags: list[Tag], target: Tag | None) -> None:
    """Apply one action to every tag in one transaction: all of them change or none does."""
    with transaction.atomic():
        for tag in tags:
            try:
                _bulk_one(user, fandom, action, tag, target)
            except ValidationError as error:
                raise _BulkFailure(tag, error) from error


@require_http_methods(["GET", "POST"])
def fandom_bins(request: HttpRequest, url_name: str) -> HttpResponse:
    fandom = _tag_or_404(url_name)
    if fandom.type != TagType.FANDOM:
        raise Http404("Only fandoms have wrangling bins")
    user = _signed_in(request)
    if user is None:
        return login_redirect(request)
    if not can_wrangle_fandom(user, fandom):
        raise PermissionDenied("You don't wrangle this fandom.")
    tag_type = request.GET.get("type", TagType.CHARACTER)
    if tag_type not in WRANGLED_IN_FANDOM_TYPES:
        tag_type = TagType.CHARACTER
    tag_status = request.GET.get("status", "unwrangled")
    if tag_status not in queries.BIN_STATUSES:
        tag_status = "unwrangled"
    sort = "uses" if request.GET.get("sort") == "uses" else "name"

    form = BulkWrangleForm(scope=queries.fandom_tags(fandom))
    failed: Tag | None = None
    status = 200
    if request.method == "POST":
        form = BulkWrangleForm(request.POST, scope=queries.fandom_tags(fandom))
        if form.is_valid():
            action = form.cleaned_data["bulk_action"]
            tags = sorted(form.cleaned_data["tags"], key=lambda t: t.name.lower())
            try:
                _bulk_apply(user, fandom, action, tags, form.cleaned_data.get("target_tag"))
            except _BulkFailure as failure:
                failed = failure.tag
                for message in failure.error.messages:
                    form.add_error(
                        None, f"Nothing was changed. “{failure.tag.name}” failed: {message}"
                    )
            else:
                label = dict(BULK_ACTIONS)[action]
                names = ", ".join(t.name for t in tags)
                target = form.cleaned_data.get("target_tag")
                messages.success(
                    request,
                    f"{label}{f' “{target.name}”' if target else ''}: {names}.",
                )
                return redirect(request.get_full_path())
        status = 400
    page = paginate(
        queries.bin_tags(fandom, tag_type, tag_status, sort),
        requested_page(request),
        per_page=BIN_PAGE_SIZE,
    )
    if sort != "uses":
        uses = queries.tag_uses(t.pk for t in page.items)
        for t in page.items:
            t.uses = uses.get(t.pk, 0)
    counts = queries.bin_counts(fandom)
    checked = set(request.POST.getlist("tags")) if request.method == "POST" else set()
    context = {
        "fandom": fandom,
        "page": page,
        "tabs": [
            {
                "type": TagType(t),
                "label": plural_label(t),
                "count": counts.get(t, 0),
                "query": _query_string(request, type=t),
                "current": t == tag_type,
            }
            for t in WRANGLED_IN_FANDOM_TYPES
        ],
        "statuses": [
            {"name": s, "query": _query_string(request, status=s), "current": s == tag_status}
            for s in queries.BIN_STATUSES
        ],
        "tag_type": TagType(tag_type),
        "type_label": plural_label(tag_type),
        "tag_status": tag_status,
        "sort": sort,
        "sort_query": _query_string(request, sort="" if sort == "uses" else "uses"),
        "page_query": _query_string(request),
        "form": form,
        "failed": failed,
        "checked": checked,
        "jobs": queries.refilter_jobs(),
    }
    return render(request, "tags/bins.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# A tag's edit page


class _Refused(Exception):
    """An edit the action refused; `section` says where on the page to show why."""

    def __init__(self, section: str, reasons: list[str], *, on_field: bool = False) -> None:
        super().__init__("; ".join(reasons))
        self.section = section
        self.reasons = reasons
        self.on_field = on_field  # already shown next to a form field


@dataclass
class EditForms:
    rename: RenameForm
    synonym: TagNameForm
    metatag: TagNameForm
    parent: TagNameForm | None
    change_type: ChangeTypeForm


def _parent_kinds(tag: Tag) -> str:
    return " or ".join(sorted(TagType(t).label for t in PARENT_TYPES.get(tag.type, set())))


def _edit_forms(tag: Tag, data: Any = None, which: str = "") -> EditForms:
    def bound(name: str) -> Any:
        return data if which == name else None

    kinds = _parent_kinds(tag)
    parent_autocomplete = (
        TagType.MEDIA
        if tag.type == TagType.FANDOM
        else TagType.FANDOM
        if tag.type != TagType.RELATIONSHIP
        else ""
    )
    return EditForms(
        rename=RenameForm(bound("rename"), prefix="rename", initial={"name": tag.name}),
        synonym=TagNameForm(
            bound("synonym"), prefix="synonym", label="Synonym of", autocomplete=tag.type
        ),
        metatag=TagNameForm(
            bound("add_metatag"), prefix="metatag", label="Add metatag", autocomplete=tag.type
        ),
        parent=TagNameForm(
            bound("add_parent"),
            prefix="parent",
            label=f"Add parent tag ({kinds})",
            autocomplete=parent_autocomplete,
        )
        if kinds
        else None,
        change_type=ChangeTypeForm(bound("change_type"), prefix="type", initial={"type": tag.type}),
    )


def _run(section: str, call: Callable[[], object], form: Any = None, field: str = "name") -> None:
    try:
        call()
    except ValidationError as error:
        if form is not None:
            attach_error(form, field, error)
        raise _Refused(section, error.messages, on_field=form is not None) from error


def _valid(section: str, form: Any) -> dict[str, Any]:
    if not form.is_valid():
        reasons = [str(message) for errors in form.errors.values() for message in errors]
        raise _Refused(section, reasons, on_field=True)
    data: dict[str, Any] = form.cleaned_data
    return data


def _other(request: HttpRequest, section: str, allowed: Any) -> Tag:
    """The tag named by the posted `other` id, which must be among `allowed` (a queryset)."""
    try:
        pk = int(request.POST.get("other", ""))
    except ValueError:
        raise _Refused(section, ["Please choose a tag."]) from None
    other = allowed.filter(pk=pk).first()
    if other is None:
        raise _Refused(section, ["That link no longer exists; reload the page."])
    assert isinstance(other, Tag)
    return other


Handler = Callable[[HttpRequest, User, Tag, EditForms], "Done"]


Done = tuple[str, str]  # (success message, where to go next)


def _rename(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    data = _valid("rename", forms.rename)
    old = tag.name
    result: list[Tag] = []
    _run(
        "rename",
        lambda: result.append(
            wrangling.tag_rename(
                actor=user, tag=tag, new_name=data["name"], free_rename=can_rename_freely(user)
            )
        ),
        forms.rename,
    )
    renamed = result[0]
    return f"Renamed “{old}” to “{renamed.name}”.", edit_url(renamed)


def _make_canonical(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    _run("canonical", lambda: wrangling.tag_make_canonical(actor=user, tag=tag))
    return f"“{tag.name}” is now canonical.", edit_url(tag)


def _decanonicalize(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    _run("canonical", lambda: wrangling.tag_decanonicalize(actor=user, tag=tag))
    return f"“{tag.name}” is no longer canonical.", edit_url(tag)


def _make_synonym(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    target = _valid("synonym", forms.synonym)["tag"]
    _run(
        "synonym",
        lambda: wrangling.tag_make_synonym(
            actor=user, tag=tag, canonical=target, allow_merge=is_admin(user)
        ),
        forms.synonym,
    )
    return f"“{tag.name}” is now a synonym of “{target.name}”.", edit_url(tag)


def _remove_synonym(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    _run("synonym", lambda: wrangling.tag_remove_synonym(actor=user, tag=tag))
    return f"“{tag.name}” is no longer a synonym.", edit_url(tag)


def _drop_synonym(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    other = _other(request, "synonyms", tag.synonyms.all())
    _run("synonyms", lambda: wrangling.tag_remove_synonym(actor=user, tag=other))
    return f"“{other.name}” is no longer a synonym of “{tag.name}”.", edit_url(tag)


def _add_metatag(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    meta = _valid("metatags", forms.metatag)["tag"]
    _run(
        "metatags",
        lambda: wrangling.tag_add_metatag(actor=user, sub=tag, meta=meta),
        forms.metatag,
    )
    return f"“{meta.name}” is now a metatag of “{tag.name}”.", edit_url(tag)


def _remove_metatag(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    meta = _other(request, "metatags", tag.metatags.all())
    _run("metatags", lambda: wrangling.tag_remove_metatag(actor=user, sub=tag, meta=meta))
    return f"“{meta.name}” is no longer a metatag of “{tag.name}”.", edit_url(tag)


def _remove_subtag(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    sub = _other(request, "subtags", tag.subtags.all())
    _run("subtags", lambda: wrangling.tag_remove_metatag(actor=user, sub=sub, meta=tag))
    return f"“{sub.name}” is no longer a subtag of “{tag.name}”.", edit_url(tag)


def _add_parent(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    if forms.parent is None:
        raise _Refused("parents", [f"{tag.get_type_display()} tags have no parent tags."])
    parent = _valid("parents", forms.parent)["tag"]
    _run(
        "parents",
        lambda: wrangling.tag_link_parent(actor=user, child=tag, parent=parent),
        forms.parent,
    )
    return f"“{tag.name}” now belongs to “{parent.name}”.", edit_url(tag)


def _remove_parent(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    parent = _other(request, "parents", tag.parents.all())
    _run("parents", lambda: wrangling.tag_unlink_parent(actor=user, child=tag, parent=parent))
    return f"“{tag.name}” no longer belongs to “{parent.name}”.", edit_url(tag)


def _remove_child(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    child = _other(request, "children", tag.children.all())
    _run("children", lambda: wrangling.tag_unlink_parent(actor=user, child=child, parent=tag))
    return f"“{child.name}” no longer belongs to “{tag.name}”.", edit_url(tag)


def _mark_unwrangleable(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    _run(
        "unwrangleable",
        lambda: wrangling.tag_set_unwrangleable(actor=user, tag=tag, unwrangleable=True),
    )
    return f"“{tag.name}” is marked unwrangleable.", edit_url(tag)


def _unmark_unwrangleable(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    _run(
        "unwrangleable",
        lambda: wrangling.tag_set_unwrangleable(actor=user, tag=tag, unwrangleable=False),
    )
    return f"“{tag.name}” is no longer marked unwrangleable.", edit_url(tag)


def _change_type(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    new_type = _valid("type", forms.change_type)["type"]
    _run(
        "type",
        lambda: wrangling.tag_change_type(actor=user, tag=tag, new_type=new_type),
        forms.change_type,
        "type",
    )
    return f"“{tag.name}” is now a {TagType(new_type).label} tag.", edit_url(tag)


def _pair_synonym(request: HttpRequest, user: User, tag: Tag, forms: EditForms) -> Done:
    """One click on a "possible synonym": make `subject` a synonym of `target`, where one of
    them is this tag (or its canonical) and the other a differently spelled relationship."""
    try:
        subject_pk, target_pk = int(request.POST["subject"]), int(request.POST["target"])
    except (KeyError, ValueError):
        raise _Refused("possible", ["Please choose a tag."]) from None
    found = Tag.objects.in_bulk([subject_pk, target_pk])
    subject, target = found.get(subject_pk), found.get(target_pk)
    if subject is None or target is None:
        raise _Refused("possible", ["That tag no longer exists; reload the page."])
    for other in (subject, target):
        check_wrangle_tag(user, other)
    _run(
        "possible",
        lambda: wrangling.tag_make_synonym(
            actor=user, tag=subject, canonical=target, allow_merge=is_admin(user)
        ),
    )
    return f"“{subject.name}” is now a synonym of “{target.name}”.", edit_url(tag)


EDIT_HANDLERS: dict[str, Handler] = {
    "rename": _rename,
    "make_canonical": _make_canonical,
    "decanonicalize": _decanonicalize,
    "synonym": _make_synonym,
    "remove_synonym": _remove_synonym,
    "drop_synonym": _drop_synonym,
    "add_metatag": _add_metatag,
    "remove_metatag": _remove_metatag,
    "remove_subtag": _remove_subtag,
    "add_parent": _add_parent,
    "remove_parent": _remove_parent,
    "remove_child": _remove_child,
    "mark_unwrangleable": _mark_unwrangleable,
    "unmark_unwrangleable": _unmark_unwrangleable,
    "change_type": _change_type,
    "pair_synonym": _pair_synonym,
}


@dataclass
class Proposal:
    """A possible synonym and what one click would do about it."""

    candidate: Tag
    subject: Tag | None = None
    target: Tag | None = None
    label: str = ""
    note: str = ""


def _group(tag: Tag) -> Tag | None:
    return tag if tag.canonical else tag.synonym_of


def _proposals(tag: Tag, candidates: list[Tag], admin: bool) -> list[Proposal]:
    mine = _group(tag)
    result = []
    for candidate in candidates:
        theirs = _group(candidate)
        if mine is not None and theirs is None:
            result.append(
                Proposal(
                    candidate,
                    candidate,
                    mine,
                    f"Make “{candidate.name}” a synonym of “{mine.name}”",
                )
            )
        elif theirs is not None and mine is None:
            result.append(
                Proposal(candidate, tag, theirs, f"Make “{tag.name}” a synonym of “{theirs.name}”")
            )
        elif mine is not None and theirs is not None:
            if admin:
                label = f"Merge “{theirs.name}” into “{mine.name}”"
                result.append(Proposal(candidate, theirs, mine, label))
            else:
                note = (
                    f"Already wrangled to “{theirs.name}”; an admin can merge it into "
                    f"“{mine.name}”."
                )
                result.append(Proposal(candidate, note=note))
        else:
            result.append(Proposal(candidate, note="Make one of the two canonical first."))
    return result


@require_http_methods(["GET", "POST"])
def tag_edit(request: HttpRequest, url_name: str) -> HttpResponse:
    tag = _tag_or_404(url_name)
    user = _signed_in(request)
    if user is None:
        return login_redirect(request)
    check_wrangle_tag(user, tag)
    tag = Tag.objects.select_related("synonym_of").get(pk=tag.pk)
    errors: dict[str, list[str]] = {}
    all_errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = EDIT_HANDLERS.get(action)
        if handler is None:
            raise Http404("No such wrangling action")
        forms = _edit_forms(tag, request.POST, action)
        try:
            message, next_url = handler(request, user, tag, forms)
        except _Refused as refused:
            all_errors = refused.reasons
            if not refused.on_field:
                errors[refused.section] = refused.reasons
            status = 400
            tag.refresh_from_db()
        else:
            messages.success(request, message)
            return redirect(next_url)
    else:
        forms = _edit_forms(tag)
    admin = is_admin(user)
    candidates = queries.possible_synonyms(tag)
    links = queries.tag_links(tag)
    context = {
        "tag": tag,
        "links": links,
        **link_groups(links),
        "forms": forms,
        "errors": errors,
        "all_errors": all_errors,
        "admin": admin,
        "free_rename": can_rename_freely(user),
        "parent_kinds": _parent_kinds(tag),
        "can_change_type": not (tag.canonical or tag.synonym_of_id),
        "proposals": _proposals(tag, candidates, admin),
        "jobs": queries.refilter_jobs(),
        "wrangled_fandom": tag.type == TagType.FANDOM and can_wrangle_fandom(user, tag),
    }
    return render(request, "tags/edit.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# The wrangling log

FIELD_LABELS = {
    "name": "Name",
    "type": "Type",
    "canonical": "Canonical",
    "unwrangleable": "Unwrangleable",
    "synonym_of": "Synonym of",
    "metatags": "Metatags",
    "parents": "Parent tags",
    "wrangler": "Wrangler",
}


def _show(value: Any, key: str) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if key == "type" and value in TagType.values:
        return str(TagType(value).label)
    return str(value)


def log_changes(entry: WranglingLogEntry) -> list[tuple[str, str, str]]:
    """(what, before, after) for each value the logged action changed."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = [key for key in FIELD_LABELS if key in before or key in after]
    keys += sorted(key for key in {*before, *after} if key not in FIELD_LABELS)
    return [
        (FIELD_LABELS.get(key, key), _show(before.get(key), key), _show(after.get(key), key))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def wrangling_log(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if user is None:
        return login_redirect(request)
    if not can_read_wrangling_log(user):
        raise PermissionDenied("Only admins can read the wrangling log.")
    form = LogFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        queries.wrangling_log(
            tag_name=filters.get("tag", ""), wrangler=filters.get("wrangler", "")
        ),
        requested_page(request),
        per_page=LOG_PAGE_SIZE,
    )
    rows = [{"entry": entry, "changes": log_changes(entry)} for entry in page.items]
    context = {"form": form, "page": page, "rows": rows, "page_query": _query_string(request)}
    return render(request, "tags/wrangling_log.html", context)

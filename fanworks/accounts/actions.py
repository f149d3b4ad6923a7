"""Every write to accounts and pseuds."""

from typing import Any

from django.contrib.auth import authenticate, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import HttpRequest

from fanworks.accounts import queries, throttles
from fanworks.accounts.models import MAX_BLOCKS, MAX_MUTES, Block, Mute, Pseud, User
from fanworks.core import ratelimit

# Paths under /users/ that are not people, plus names that would mislead readers.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "anonymous",
        "edit",
        "login",
        "logout",
        "new",
        "orphan_account",
        "password",
        "signup",
        "sign_up",
    }
)
# "/users/NAME/pseuds/new" is the form for adding a pseud.
RESERVED_PSEUD_NAMES = frozenset({"new"})

LOGIN_FAILED_MESSAGE = "The password or user name you entered doesn't match our records."


class LoginThrottled(Exception):
    """Too many failed attempts; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed login attempts; retry after {retry_after} s")
        self.retry_after = retry_after


# ---------------------------------------------------------------------------------------------
# Accounts


def user_create(*, username: str, email: str, password: str, is_superuser: bool = False) -> User:
    """Create an account and its default pseud, named after the user."""
    username = username.strip()
    email = email.strip()
    candidate = User(username=username, email=email)
    errors: dict[str, list[str]] = {}
    try:
        # Uniqueness is checked below, case-insensitively and with readable messages.
        candidate.full_clean(
            exclude=["password"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as problem:
        errors.update(problem.message_dict)
    if username.lower() in RESERVED_USERNAMES:
        errors.setdefault("username", []).append("That username is reserved. Please pick another.")
    elif User.objects.annotate(lower=Lower("username")).filter(lower=username.lower()).exists():
        errors.setdefault("username", []).append("That username is already taken.")
    if email and _email_in_use(email):
        errors.setdefault("email", []).append("An account with that e-mail address exists.")
    try:
        validate_password(password, candidate)
    except ValidationError as problem:
        errors.setdefault("password", []).extend(problem.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if is_superuser:
                user = User.objects.create_superuser(
                    username=username, email=email, password=password
                )
            else:
                user = User.objects.create_user(username=username, email=email, password=password)
            Pseud.objects.create(user=user, name=username, is_default=True)
    except IntegrityError:
        raise ValidationError({"username": ["That username is already taken."]}) from None
    return user


def _email_in_use(email: str, *, exclude: User | None = None) -> bool:
    matches = User.objects.annotate(lower=Lower("email")).filter(lower=email.lower())
    if exclude is not None:
        matches = matches.exclude(pk=exclude.pk)
    return matches.exists()


def user_log_in(
    *, request: HttpRequest, login_name: str, password: str, remember: bool
) -> User | None:
    """Log the request in, or return None for bad credentials.

    The throttle is checked before any password is hashed, so a limited client costs a couple
    of indexed reads. Failures count per IP and per account; success clears the account's count.
    Raises LoginThrottled when either limit is reached.
    """
    ip = ratelimit.client_ip(request)
    account = queries.user_for_login(login_name)
    key = throttles.login_account_key(
        username=account.username if account else None, attempted=login_name
    )
    wait = queries.login_retry_after(ip=ip, account_key=key)
    if wait is not None:
        raise LoginThrottled(wait)
    # Unknown names still go through authenticate(), which hashes anyway (no timing oracle).
    username = account.username if account else login_name.strip()
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        ratelimit.record_hit(throttles.login_ip_limit(ip))
        ratelimit.record_hit(throttles.login_account_limit(key))
        return None
    ratelimit.clear(key)
    login(request, user)
    if not remember:
        request.session.set_expiry(0)  # until the browser closes
    return user


def user_check_password(*, user: User, password: str) -> bool:
    """Check a logged-in user's password for a sensitive change, under the login throttle.

    A stolen session must not become a way to guess the password without limit.
    """
    key = throttles.login_account_key(username=user.username, attempted=user.username)
    wait = queries.login_retry_after(ip=None, account_key=key)
    if wait is not None:
        raise LoginThrottled(wait)
    if user.check_password(password):
        return True
    ratelimit.record_hit(throttles.login_account_limit(key))
    return False


def user_change_email(*, user: User, email: str) -> User:
    email = email.strip()
    if _email_in_use(email, exclude=user):
        raise ValidationError({"email": ["An account with that e-mail address exists."]})
    user.email = email
    try:
        user.full_clean(
            exclude=["password", "username"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as problem:
        user.refresh_from_db(fields=["email"])
        raise ValidationError(
            {"email": problem.message_dict.get("email", problem.messages)}
        ) from None
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        user.refresh_from_db(fields=["email"])
        raise ValidationError({"email": ["An account with that e-mail address exists."]}) from None
    return user


def user_change_password(*, user: User, password: str) -> User:
    """Set a new password (already validated by the form); other sessions stop working."""
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def user_reset_password(*, user: User, password: str) -> User:
    """Finish a password reset: set the password and lift the account's login throttle."""
    user.set_password(password)
    user.save(update_fields=["password"])
    ratelimit.clear(throttles.login_account_key(username=user.username, attempted=user.username))
    return user


def password_reset_request_record(*, email: str) -> bool:
    """Count a reset request for `email`; False when its 3-per-12-hours allowance is used up.

    Counted whether or not an account has that address, so the answer reveals nothing.
    """
    limit = throttles.password_reset_limit(email)
    if ratelimit.retry_after(limit) is not None:
        return False
    ratelimit.record_hit(limit)
    return True


# ---------------------------------------------------------------------------------------------
# Pseuds


def _pseud_errors(pseud: Pseud) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    try:
        pseud.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    except ValidationError as problem:
        errors.update(problem.message_dict)
    if "name" not in errors:
        if pseud.name.lower() in RESERVED_PSEUD_NAMES:
            errors["name"] = [f"“{pseud.name}” can't be used as a pseud name."]
        else:
            clash = (
                Pseud.objects.annotate(lower=Lower("name"))
                .filter(user_id=pseud.user_id, lower=pseud.name.lower())
                .exclude(pk=pseud.pk)
                .first()
            )
            if clash is not None:
                errors["name"] = [f"You already have a pseud called “{clash.name}”."]
    return errors


def _save_pseud(pseud: Pseud, *, make_default: bool) -> Pseud:
    was_default = pseud.is_default
    try:
        with transaction.atomic():
            if make_default and not pseud.is_default:
                Pseud.objects.filter(user_id=pseud.user_id, is_default=True).update(
                    is_default=False
                )
                pseud.is_default = True
            pseud.save()
    except IntegrityError:
        pseud.is_default = was_default
        raise ValidationError(
            {"name": [f"You already have a pseud called “{pseud.name}”."]}
        ) from None
    return pseud


def pseud_create(
    *, user: User, name: str, description: str = "", is_default: bool = False
) -> Pseud:
    pseud = Pseud(user=user, name=name.strip(), description=description.strip())
    errors = _pseud_errors(pseud)
    if errors:
        raise ValidationError(errors)
    return _save_pseud(pseud, make_default=is_default)


def pseud_update(*, pseud: Pseud, name: str, description: str, make_default: bool) -> Pseud:
    """Rename a pseud or change its description; `make_default` moves the default to it.

    A user always has exactly one default pseud, so the default moves rather than being unset.
    """
    original = (pseud.name, pseud.description)
    pseud.name = name.strip()
    pseud.description = description.strip()
    errors = _pseud_errors(pseud)
    if errors:
        pseud.name, pseud.description = original
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            saved = _save_pseud(pseud, make_default=make_default)
            if saved.name != original[0]:
                _pseud_renamed(saved)
            return saved
    except ValidationError:
        pseud.name, pseud.description = original
        raise


def _pseud_renamed(pseud: Pseud) -> None:
    """The pseud's works sort and search by creator name: bring both up to date."""
    # Imported here: the works app builds on accounts, not the other way round.
    from fanworks.search.outbox import record_work_changes
    from fanworks.works.actions import work_sort_keys_refresh

    work_ids = list(pseud.creatorships.values_list("work_id", flat=True))
    if work_ids:
        work_sort_keys_refresh(work_ids=work_ids)
        record_work_changes(work_ids)


def _relate(
    model: type[Block] | type[Mute],
    fields: tuple[str, str],
    owner: User,
    other: User,
    limit: int,
    verb: str,
) -> Any:
    """Add `owner` → `other` to `model` (Block or Mute; `fields` names its owner and other
    user) unless it is there; refuses oneself and more than `limit` of them. The unique
    constraint settles two requests at once."""
    if owner.pk == other.pk:
        raise ValidationError(f"You can't {verb} yourself.")
    owner_field, other_field = fields
    pair = {owner_field: owner, other_field: other}
    with transaction.atomic():
        existing = model.objects.filter(**pair).first()
        if existing is not None:
            return existing
        if model.objects.filter(**{owner_field: owner}).count() >= limit:
            raise ValidationError(
                f"You have {verb}ed {limit:,} users, the most allowed. "
                f"Un{verb} someone to {verb} another."
            )
        try:
            with transaction.atomic():
                return model.objects.create(**pair)
        except IntegrityError:  # the same request from another tab a moment ago
            return model.objects.get(**pair)


def block_user(*, blocker: User, blocked: User) -> Block:
    """Block `blocked` for `blocker` (again is harmless). Raises ValidationError for oneself or
    past MAX_BLOCKS."""
    block: Block = _relate(Block, ("blocker", "blocked"), blocker, blocked, MAX_BLOCKS, "block")
    return block


def unblock_user(*, blocker: User, blocked: User) -> bool:
    """Lift a block. Returns False when there was none."""
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


def mute_user(*, muter: User, muted: User) -> Mute:
    """Mute `muted` for `muter` (again is harmless). Raises ValidationError for oneself or past
    MAX_MUTES."""
    mute: Mute = _relate(Mute, ("muter", "muted"), muter, muted, MAX_MUTES, "mute")
    return mute


def unmute_user(*, muter: User, muted: User) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=muted).delete()
    return bool(deleted)


# The e-mail switches on the preferences page (User fields).
EMAIL_PREFERENCES = (
    "comment_emails",
    "subscription_emails",
    "kudos_emails",
    "related_work_emails",
    "gift_emails",
)
# The other switches on that page (User fields too).
INVITATION_PREFERENCES = ("allow_cocreator_invitations",)


def preferences_update(*, user: User, switches: dict[str, bool]) -> User:
    """Set `user`'s switches: e-mail notifications (EMAIL_PREFERENCES) and who may invite
    them (INVITATION_PREFERENCES).
    They are read when an e-mail is about to go out, so a change applies to waiting ones."""
    unknown = set(switches) - set(EMAIL_PREFERENCES) - set(INVITATION_PREFERENCES)
    if unknown:
        raise ValueError(f"unknown preferences: {sorted(unknown)}")
    for name, value in switches.items():
        setattr(user, name, bool(value))
    user.save(update_fields=sorted(switches))
    return user

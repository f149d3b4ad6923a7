"""Every write to accounts and pseuds."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from fanworks.accounts.models import Pseud, User


def user_create(*, username: str, email: str, password: str) -> User:
    """Create an account and its default pseud, named after the user."""
    username = username.strip()
    email = email.strip()
    candidate = User(username=username, email=email)
    errors: dict[str, list[str]] = {}
    try:
        candidate.full_clean(exclude=["password"])
    except ValidationError as problem:
        errors.update(problem.message_dict)
    if User.objects.annotate(lower=Lower("username")).filter(lower=username.lower()).exists():
        errors.setdefault("username", []).append("That username is already taken.")
    if User.objects.annotate(lower=Lower("email")).filter(lower=email.lower()).exists():
        errors.setdefault("email", []).append("An account with that e-mail address exists.")
    try:
        validate_password(password, candidate)
    except ValidationError as problem:
        errors.setdefault("password", []).extend(problem.messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            Pseud.objects.create(user=user, name=username, is_default=True)
    except IntegrityError:
        raise ValidationError({"username": ["That username is already taken."]}) from None
    return user

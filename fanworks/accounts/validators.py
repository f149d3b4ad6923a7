from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# AO3 clients (FanFicFare) read creators from `/users/<\w+>/pseuds/…`, so logins stay ASCII
# word characters; AO3 allows 3–40 of them.
username_validator = RegexValidator(
    regex=r"\A[A-Za-z0-9_]{3,40}\Z",
    message="Usernames are 3 to 40 characters: letters, digits and underscores only.",
)

pseud_name_validator = RegexValidator(
    regex=r"\A[A-Za-z0-9_][A-Za-z0-9_ .-]{0,38}[A-Za-z0-9_.]?\Z",
    message=(
        "Pseuds are 1 to 40 characters: letters, digits, spaces, underscores, hyphens and "
        "full stops, starting with a letter, digit or underscore."
    ),
)


class MaximumLengthValidator:
    """Argon2 hashes any length, but a megabyte of password is a denial of service."""

    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"Passwords can be at most {self.max_length} characters long.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be at most {self.max_length} characters long."

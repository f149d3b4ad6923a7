"""Forms for accounts and pseuds. They parse and validate; writes happen in actions."""

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError

from fanworks.accounts.actions import (
    password_reset_request_record,
    user_check_password,
    user_reset_password,
)
from fanworks.accounts.models import Pseud, User
from fanworks.accounts.validators import username_validator

STRONG_ENOUGH_HELP = (
    "At least 8 characters, not a common password, not all digits and not too like your "
    "username or e-mail address."
)
WRONG_PASSWORD = "That isn't your current password."  # noqa: S105 (a message)


class SignupForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=40,
        validators=[username_validator],
        help_text="3 to 40 characters: letters, digits and underscores.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        help_text=STRONG_ENOUGH_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirmation = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        confirmation = cleaned.get("password_confirmation")
        if password and confirmation and password != confirmation:
            self.add_error("password_confirmation", "The two passwords don't match.")
        return cleaned

    def add_action_errors(self, problem: ValidationError) -> None:
        """Show errors raised by `user_create` next to the matching fields."""
        for field, messages in problem.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class CheckboxInput(forms.CheckboxInput):
    """A checkbox that reads Rails' "0" (posted for an unticked box) as False, not True.

    Named like Django's so templates still see `widget_type == "checkbox"`.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        value = data.get(name)
        if isinstance(value, str) and value.strip().lower() in {"", "0", "false", "off", "no"}:
            return False
        return super().value_from_datadict(data, files, name)


class LoginForm(forms.Form):
    """AO3's login form: fields are posted as user[login], user[password], user[remember_me]."""

    login = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        widget=forms.TextInput(
            attrs={"id": "user_login", "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(
            attrs={"id": "user_password", "autocomplete": "current-password"}
        ),
    )
    remember_me = forms.BooleanField(
        label="Remember me",
        required=False,
        widget=CheckboxInput(attrs={"id": "user_remember_me", "value": "1"}),
    )

    def add_prefix(self, field_name: str) -> str:
        return f"user[{field_name}]"


class ChangeEmailForm(forms.Form):
    email = forms.EmailField(
        label="New e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Current password",
        strip=False,
        help_text="We ask for it so nobody else can take over your account.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # Raises LoginThrottled when too many wrong passwords were tried; the view answers 429.
        if not user_check_password(user=self.user, password=password):
            raise ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the current-password check under the login throttle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        _plain_password_help(self)

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        if not user_check_password(user=self.user, password=old_password):
            raise ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return old_password


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """Django's reset form, sending at most 3 mails per address per 12 hours."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not password_reset_request_record(email=self.cleaned_data["email"]):
            return
        super().save(*args, **kwargs)


class ResetPasswordForm(auth_forms.SetPasswordForm):
    """Choosing a new password from a reset link; finishing also lifts the login throttle."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_password_help(self)

    def save(self, commit: bool = True) -> Any:
        password = self.cleaned_data["new_password1"]
        return user_reset_password(user=self.user, password=password)


class PseudForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=40,
        help_text=(
            "Up to 40 characters: letters, digits, spaces, underscores, hyphens and full stops."
        ),
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_default = forms.BooleanField(label="Make this my default pseud", required=False)

    def __init__(self, *args: Any, pseud: Pseud | None = None, **kwargs: Any) -> None:
        if pseud is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": pseud.name, "description": pseud.description}
        super().__init__(*args, **kwargs)
        if pseud is not None and pseud.is_default:
            # The default moves to another pseud; it is never simply switched off.
            del self.fields["is_default"]

    def add_action_errors(self, problem: ValidationError) -> None:
        for field, messages in problem.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


def _plain_password_help(form: forms.Form) -> None:
    """One sentence instead of Django's HTML list, which can't sit inside the help paragraph."""
    form.fields["new_password1"].help_text = STRONG_ENOUGH_HELP
    form.fields["new_password2"].label = "Confirm new password"
    form.fields["new_password2"].help_text = ""


class PreferencesForm(forms.Form):
    """E-mail notifications, one switch per kind (the inbox always gets them)."""

    comment_emails = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="E-mail me comments on my works and replies to my comments (at once)",
    )
    subscription_emails = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="E-mail me new chapters and works I subscribed to (at most hourly)",
    )
    kudos_emails = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="E-mail me the kudos on my works (a daily digest)",
    )
    related_work_emails = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="E-mail me when someone links their work to one of mine (at once)",
    )
    gift_emails = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="E-mail me when someone gives me a work as a gift (at once)",
    )
    allow_cocreator_invitations = forms.BooleanField(
        required=False,
        widget=CheckboxInput,
        label="Allow others to invite my pseuds to be co-creators (I still accept each one)",
    )

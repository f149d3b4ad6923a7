from urllib.parse import quote

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

from fanworks.accounts.validators import pseud_name_validator, username_validator


class User(AbstractUser):
    username = models.CharField(
        max_length=40,
        unique=True,
        validators=[username_validator],
        help_text="3 to 40 characters: letters, digits and underscores.",
        error_messages={"unique": "That username is already taken."},
    )
    email = models.EmailField(max_length=254)
    # Preferences. Reading history is kept unless the reader turns it off.
    history_enabled = models.BooleanField(default=True, db_default=True)
    # E-mail notifications, one switch per kind (the inbox gets them all regardless).
    kudos_emails = models.BooleanField(
        default=True, db_default=True, help_text="A daily e-mail of the kudos on your works."
    )
    subscription_emails = models.BooleanField(
        default=True,
        db_default=True,
        help_text="An hourly e-mail of new chapters and works you subscribed to.",
    )
    comment_emails = models.BooleanField(
        default=True,
        db_default=True,
        help_text="An e-mail at once for comments on your works and replies to your comments.",
    )
    related_work_emails = models.BooleanField(
        default=True,
        db_default=True,
        help_text="An e-mail at once when someone links a work of theirs to one of yours.",
    )
    gift_emails = models.BooleanField(
        default=True,
        db_default=True,
        help_text="An e-mail at once when someone gives you a work as a gift.",
    )
    # Whether others may invite this user's pseuds as co-creators (they still have to accept).
    allow_cocreator_invitations = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return f"/users/{self.username}"


class Pseud(models.Model):
    """A name a user writes under. Works are credited to pseuds, never to users directly."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pseuds")
    name = models.CharField(max_length=40, validators=[pseud_name_validator])
    is_default = models.BooleanField(default=False)
    description = models.TextField(blank=True, max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="pseud_name_ci_unique_per_user"),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="one_default_pseud_per_user",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/users/{self.user.username}/pseuds/{quote(self.name)}"

    @property
    def byline(self) -> str:
        """The pseud as AO3 credits it: "name (username)" when the name differs from the login."""
        if self.name == self.user.username:
            return self.name
        return f"{self.name} ({self.user.username})"


# How many users one account may block (AO3's limit, and ours).
MAX_BLOCKS = 2_000


class Block(models.Model):
    """`blocker` refuses `blocked`'s kudos (and, as they arrive, comments, replies and gifts)."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


MAX_MUTES = 2_000


class Mute(models.Model):
    """`muter` no longer sees `muted`'s works anywhere in listings and searches (filtered on the
    server, counts and facets included); a direct link still opens them."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_made")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mutes_received")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_once"),
            models.CheckConstraint(
                condition=~models.Q(muter=models.F("muted")), name="mute_not_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"

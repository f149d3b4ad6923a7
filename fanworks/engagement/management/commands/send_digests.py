from typing import Any

from django.core.management.base import BaseCommand

from fanworks.engagement.notifications import send_due_digests


class Command(BaseCommand):
    help = (
        "Send waiting notification e-mails now instead of at the end of their period: the "
        "kudos digest (counting kudos since the last one), subscription updates, and comment "
        "e-mails a failed job left behind. Preferences are respected; nothing is sent twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_digests()
        self.stdout.write(
            f"Kudos notifications written: {sent['kudos_notifications']}; "
            f"subscription e-mails sent: {sent['subscription_emails']}; "
            f"comment e-mails sent: {sent['comment_emails']}."
        )

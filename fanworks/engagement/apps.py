from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "fanworks.engagement"
    label = "engagement"

    def ready(self) -> None:
        # Registers the notification jobs (fan-out, e-mails, digests) with the job runner.
        from fanworks.engagement import notifications  # noqa: F401

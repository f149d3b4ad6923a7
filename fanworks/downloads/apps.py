from django.apps import AppConfig


class DownloadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fanworks.downloads"

    def ready(self) -> None:
        # Registers the export job and the periodic sweep with the job runner.
        from fanworks.downloads import tasks  # noqa: F401

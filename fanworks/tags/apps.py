from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "fanworks.tags"
    label = "tags"

    def ready(self) -> None:
        # Registers the re-filter job handler.
        from fanworks.tags import filters  # noqa: F401

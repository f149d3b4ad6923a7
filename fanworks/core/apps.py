from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanworks.core"
    label = "core"

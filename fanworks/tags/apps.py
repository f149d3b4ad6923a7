from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "fanworks.tags"
    label = "tags"

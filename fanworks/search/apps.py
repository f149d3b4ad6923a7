from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "fanworks.search"
    label = "search"

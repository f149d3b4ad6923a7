from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "fanworks.works"
    label = "works"

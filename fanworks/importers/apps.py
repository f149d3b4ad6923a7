from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "fanworks.importers"
    label = "importers"
    verbose_name = "Imports"

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "fanworks.engagement"
    label = "engagement"

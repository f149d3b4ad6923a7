from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fanworks.accounts"
    label = "accounts"

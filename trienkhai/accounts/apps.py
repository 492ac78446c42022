from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "trienkhai.accounts"
    label = "accounts"

    def ready(self) -> None:
        from trienkhai.accounts import signals  # noqa: F401

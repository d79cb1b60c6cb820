from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal accounts"

    def ready(self) -> None:
        # Every ModelAdmin is registered by now (django.contrib.admin's autodiscover runs
        # first): put the firm boundary on all of them (portal/admin_firms.py).
        from django.contrib import admin

        from portal.admin_firms import scope_admin_site

        scope_admin_site(admin.site)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal accounts")

    def ready(self) -> None:
        # Every ModelAdmin is registered by now (django.contrib.admin's autodiscover runs
        # first): put the firm boundary on all of them (portal/admin_firms.py).
        from django.contrib import admin

        from portal.admin_firms import scope_admin_site

        scope_admin_site(admin.site)

        from django.contrib.auth.signals import user_logged_in

        from portal.middleware import session_stamp_login

        # The session's start and first refresh are part of logging in (portal/middleware.py).
        user_logged_in.connect(session_stamp_login, dispatch_uid="portal_session_stamp_login")

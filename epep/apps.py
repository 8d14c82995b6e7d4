"""Django's admin app with the portal's admin site (accounts.admin_site) as its default,
the way Django documents overriding the default admin site."""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "accounts.admin_site.PortalAdminSite"

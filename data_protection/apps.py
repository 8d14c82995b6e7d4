"""Data protection: subject-access exports and the retention review. It reads every app
(a child's whole record goes into the export), so it sits above the domain apps and none of
them imports it."""
from django.apps import AppConfig


class DataProtectionConfig(AppConfig):
    name = "data_protection"
    verbose_name = "Data protection"

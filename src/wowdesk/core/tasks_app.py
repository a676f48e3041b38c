"""The app configuration of ``django_tasks_db`` as wowdesk installs it (``settings.py``)."""

from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """``django_tasks_db`` (the background task results) under a translated name in the
    admin; everything else is the package's own configuration."""

    verbose_name = _("Background tasks")  # type: ignore[assignment]

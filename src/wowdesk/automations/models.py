"""Automation rules: when an event's facts meet the conditions, the actions run."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wowdesk.core.models import Agent, Brand


class Rule(models.Model):
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, related_name="automation_rules", verbose_name=_("brand")
    )
    name = models.CharField(_("name"), max_length=200)
    event = models.CharField(_("event"), max_length=64)
    # [{"field", "op", "value"}], all must hold (automations/rules.py)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    # [{"type", "value"}], in order
    actions = models.JSONField(_("actions"), default=list)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(
        Agent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "name"], name="automation_rule_name_unique")
        ]
        verbose_name = _("automation rule")
        verbose_name_plural = _("automation rules")

    def __str__(self) -> str:
        return self.name

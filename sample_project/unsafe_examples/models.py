"""Models in the state the unsafe migrations leave them in.

Each migration in unsafe_examples/migrations/ (after 0001_initial) shows one
pattern that is unsafe during a zero-downtime deploy; its docstring says why.
"""

from __future__ import annotations

from django.contrib.postgres.functions import RandomUUID
from django.db import models


class Supplier(models.Model):
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Widget(models.Model):
    name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, blank=True)  # 0006: renamed from "label"
    description = models.CharField(max_length=80, blank=True)  # 0010: max_length 255 -> 80
    notes = models.TextField(blank=True)  # 0008: NULL -> NOT NULL
    count = models.BigIntegerField(default=0)  # 0009: IntegerField -> BigIntegerField
    sku = models.CharField(max_length=32, blank=True, db_index=True)  # 0013: db_index added
    code = models.CharField(max_length=20, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    weight = models.IntegerField(default=0)  # 0002: NOT NULL with a Python default only
    category = models.CharField(max_length=30)  # 0003: preserve_default=False
    supplier = models.ForeignKey(  # 0016: foreign key to an existing table
        Supplier, null=True, on_delete=models.SET_NULL, related_name="widgets"
    )
    color = models.CharField(max_length=20, null=True)  # 0020: added and backfilled in one transaction
    public_id = models.UUIDField(db_default=RandomUUID())  # 0021: volatile db_default
    # 0004 removed legacy_flag.

    class Meta:
        indexes = [models.Index(fields=["price"], name="widget_price_idx")]  # 0011 added, 0012 removed widget_name_idx
        constraints = [
            models.UniqueConstraint(fields=["code"], name="widget_code_uniq"),  # 0014
            models.CheckConstraint(condition=models.Q(price__gte=0), name="widget_price_non_negative"),  # 0015
        ]

    def __str__(self) -> str:
        return self.title or self.name


class Gadget(models.Model):
    """0007: renamed from Gizmo, which renamed its table."""

    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


# 0005 deleted the Obsolete model.

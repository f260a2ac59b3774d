"""A small shop whose migration history makes every risky change the safe way.

See the docstring of each migration in shop/migrations/ for the step it takes.
"""

from __future__ import annotations

from django.db import models


class Customer(models.Model):
    email = models.EmailField(unique=True)
    # Was a CharField(max_length=100): varchar -> text without an index is a catalog change (0018).
    first_name = models.TextField()
    last_name = models.CharField(max_length=100)
    # legacy_code was removed over three releases: 0011 (NULL-able), 0012 (state only), 0013 (DROP COLUMN).
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class Product(models.Model):
    # Renamed from "name" (0015, 0016); the column is still "name". Grown from 200 characters (0017).
    title = models.CharField(max_length=255, db_column="name")
    # Added NULL-able, backfilled, then made NOT NULL via a validated check (0002-0007).
    sku = models.CharField(max_length=32)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    # NOT NULL with a database default (0008).
    status = models.CharField(max_length=16, default="new", db_default="new")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Built with CREATE INDEX CONCURRENTLY (0009).
        indexes = [models.Index(fields=["created_at"], name="shop_order_created_at_idx")]

    def __str__(self) -> str:
        return f"Order #{self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class Voucher(models.Model):
    """Created as Coupon; renamed in 0014 without touching the table."""

    code = models.CharField(max_length=32, unique=True)
    percent_off = models.PositiveSmallIntegerField()
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        # Pinned since the model was created, so renaming the model never renames the table.
        db_table = "shop_coupon"

    def __str__(self) -> str:
        return self.code

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from apps.catalog.models import Product
from apps.toolkit.guarded import TrackedModel


class Outfit(TrackedModel):
    """A combination of products put together by a customer, shared when public."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outfits"
    )
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    is_public = models.BooleanField("public", default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        db_table = "outfits_outfit"
        ordering = ["-created_at", "-id"]
        # The feed's ordering of public outfits, newest first (read backwards).
        indexes = [models.Index(fields=["created_at", "id"], name="outfit_created_idx")]

    def __str__(self):
        return self.name


class OutfitItem(TrackedModel):
    outfit = models.ForeignKey(Outfit, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="outfit_items")
    position = models.IntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        db_table = "outfits_outfititem"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["outfit", "product"], name="outfits_outfititem_outfit_product_uniq"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=0), name="outfits_outfititem_position_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.outfit} · {self.product}"

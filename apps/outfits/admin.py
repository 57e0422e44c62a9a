from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from .models import Outfit, OutfitItem


class OutfitItemInline(TabularInline):
    model = OutfitItem
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Outfit)
class OutfitAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["name", "user", "is_public", "created_at"]
    list_filter = ["is_public"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    inlines = [OutfitItemInline]

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from .models import Order, OrderItem


class OrderItemInline(TabularInline):
    model = OrderItem
    extra = 0
    raw_id_fields = ["variant"]


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin, ModelAdmin):
    list_display = ["id", "user", "status", "total_price", "created_at"]
    list_filter = ["status"]
    list_select_related = ["user"]
    search_fields = ["=id", "user__email"]
    raw_id_fields = ["user"]
    inlines = [OrderItemInline]

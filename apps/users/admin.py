from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from apps.access.modeladmin import AccessPolicyAdmin, ScopedAdmin
from apps.access.policy import ACCESS_FIELDS
from apps.orders.models import Order, OrderStatus
from apps.toolkit.admin_helpers import EstimatedCountPaginator
from apps.toolkit.numbers import parse_id
from apps.users.services import user_deactivate

from .models import User

# Money a customer actually spent: paid, shipped and delivered orders.
SPENT_STATUSES = [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
STAFF_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


class EmailUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


def _order_aggregate(expression, output_field, **filters):
    rows = (
        Order.objects.filter(user=OuterRef("pk"), **filters)
        .order_by()
        .values("user")
        .annotate(value=expression)
        .values("value")
    )
    return Coalesce(Subquery(rows, output_field=output_field), 0, output_field=output_field)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AccessPolicyAdmin, ModelAdmin):
    # Support may (de)activate customers on their form, so a revert may too; staff accounts,
    # whose activity is access, are out of support's scope altogether.
    access_fields = ACCESS_FIELDS - {"is_active"}
    scope_refusal = (
        "Staff accounts are managed by superusers; support works with customer accounts only."
    )
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = [
        "email",
        "full_name",
        "phone_number",
        "orders",
        "spent",
        "is_verified",
        "is_active",
        "is_staff",
    ]
    list_filter = ["is_active", "is_verified", "is_staff", "groups"]
    search_fields = ["email", "first_name", "last_name", "phone_number"]
    search_help_text = "E-mail, first or last name, or phone number."
    ordering = ["email"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    readonly_fields = ["username", "last_login", "date_joined", "orders", "spent"]
    actions = ["deactivate"]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone_number", "profile_picture"]}),
        ("Status", {"fields": ["is_active", "is_verified"]}),
        ("Orders", {"fields": ["orders", "spent"]}),
        ("Access", {"fields": STAFF_FIELDS}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .annotate(
                order_total=_order_aggregate(Count("pk"), IntegerField()),
                spent_total=_order_aggregate(
                    Sum("total_price"),
                    DecimalField(max_digits=12, decimal_places=2),
                    status__in=SPENT_STATUSES,
                ),
            )
        )
        if not request.user.is_superuser:
            # Staff accounts are managed by superusers only; support sees customers.
            queryset = queryset.filter(Q(is_staff=False) & Q(is_superuser=False))
        return queryset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Support edits a customer's profile and flags; never access or passwords (the
        # password field's only use is a link to the superusers' password page).
        hidden = {*STAFF_FIELDS, "password"}
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
            for name, options in fieldsets
            if name != "Access"
        ]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def out_of_scope(self, request, object_id) -> bool:
        if super().out_of_scope(request, object_id) or request.user.is_superuser:
            return super().out_of_scope(request, object_id)
        # A deleted staff account's history is still a staff account's.
        pk = parse_id(object_id)
        return pk is not None and (
            not User.objects.filter(pk=pk).exists()
            and User.history.filter(id=pk).filter(Q(is_staff=True) | Q(is_superuser=True)).exists()
        )

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied("Only superusers set passwords.")
        return super().user_change_password(request, id, form_url)

    @display(description="Name")
    def full_name(self, user):
        return f"{user.first_name} {user.last_name}".strip() or "—"

    @display(description="Orders", ordering="order_total")
    def orders(self, user):
        return user.order_total

    @display(description="Spent", ordering="spent_total")
    def spent(self, user):
        return user.spent_total

    def delete_view(self, request, object_id, extra_context=None):
        user = self.get_object(request, object_id)
        # The permission first: the refusal below names the customer's orders.
        if not self.has_delete_permission(request, user):
            raise PermissionDenied("Your role may not delete accounts.")
        if user is not None and user.pk == request.user.pk:
            raise PermissionDenied("You cannot delete your own account; ask another superuser.")
        count = Order.objects.filter(user=user).count() if user is not None else 0
        if count:
            messages.error(
                request,
                f"{user.email} has {count} orders, which are kept as financial records, so the "
                "account cannot be deleted. Untick “Active” and save to deactivate it instead.",
            )
            return redirect(reverse("admin:users_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_queryset(self, request, queryset):
        with_orders = queryset.filter(orders__isnull=False).distinct()
        if with_orders.exists():
            emails = ", ".join(with_orders.values_list("email", flat=True)[:10])
            raise PermissionDenied(f"Customers with orders cannot be deleted: {emails}.")
        super().delete_queryset(request, queryset)

    @admin.action(description="Deactivate selected accounts", permissions=["change"])
    def deactivate(self, request, queryset):
        changed = user_deactivate(users=queryset, actor=request.user)
        self.message_user(request, f"{changed} accounts deactivated.")


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ScopedAdmin, ModelAdmin):
    pass

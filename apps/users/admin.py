from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import IS_POPUP_VAR
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import (
    UnfoldAdminEmailInputWidget,
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminTextInputWidget,
)

from apps.access.modeladmin import AccessPolicyAdmin, ScopedAdmin
from apps.access.password_reset import StaffPasswordResetForm
from apps.access.policy import ACCESS_FIELDS, roles_of
from apps.orders.models import Order, OrderStatus
from apps.orders.selectors import (
    customer_addresses,
    customer_cart,
    customer_notes,
    customer_wishlist,
)
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import EstimatedCountPaginator, render_action_form
from apps.toolkit.money import money
from apps.toolkit.numbers import parse_id
from apps.toolkit.words import counted
from apps.users.roles import ROLE_PERMISSIONS
from apps.users.services import StaffInviteError, staff_invite, user_deactivate

from .models import User

CUSTOMER_HISTORY = ["order_list", "addresses_used", "wishlist_items", "cart_lines", "order_notes"]
HISTORY_ROWS = 50


def _table(headers, rows, empty, footer=""):
    if not rows:
        return empty
    head = format_html_join("", '<th class="text-left pr-4">{}</th>', ((h,) for h in headers))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (format_html_join("", '<td class="pr-4 py-1 align-top">{}</td>', ((c,) for c in row)),)
            for row in rows
        ),
    )
    return format_html(
        "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>{}", head, body, footer
    )


# Money a customer actually spent: paid, shipped and delivered orders.
SPENT_STATUSES = [OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED]
STAFF_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]


class InviteStaffForm(forms.Form):
    email = forms.EmailField(widget=UnfoldAdminEmailInputWidget)
    first_name = forms.CharField(max_length=128, required=False, widget=UnfoldAdminTextInputWidget)
    last_name = forms.CharField(max_length=70, required=False, widget=UnfoldAdminTextInputWidget)
    role = forms.ChoiceField(
        choices=[(role, role) for role in ROLE_PERMISSIONS],
        widget=UnfoldAdminRadioSelectWidget,
        help_text="Merchandising curates the catalog; Warehouse keeps stock true; Support "
        "handles orders and customers.",
    )


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
    readonly_fields = [
        "username",
        "last_login",
        "date_joined",
        "orders",
        "spent",
        *CUSTOMER_HISTORY,
    ]
    actions = ["deactivate"]
    actions_list = ["invite_staff"]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone_number", "profile_picture"]}),
        ("Status", {"fields": ["is_active", "is_verified"]}),
        ("Orders", {"fields": ["orders", "spent"]}),
        # Roles are groups; raw permissions are for exceptions, so the section starts folded.
        ("Access", {"fields": STAFF_FIELDS, "classes": ["collapse"]}),
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
        # The staff list's "Role" column reads each account's groups: one query for all rows.
        return queryset.prefetch_related("groups")

    # Customers and staff accounts are listed apart: a superuser's list opens on customers;
    # "Staff accounts" (the sidebar) is the same list filtered to staff, with its own columns.

    list_choosing_parameters = ("is_staff__exact",)  # no filter chip: see filter_chips

    def changelist_view(self, request, extra_context=None):
        lists_both = "is_staff__exact" not in request.GET and IS_POPUP_VAR not in request.GET
        if request.method == "GET" and request.user.is_superuser and lists_both:
            query = request.GET.copy()
            query["is_staff__exact"] = "0"
            return redirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)

    def get_list_display(self, request):
        if request.GET.get("is_staff__exact") == "1":
            return ["email", "full_name", "roles", "is_active", "last_login"]
        return [c for c in super().get_list_display(request) if c != "is_staff"]

    @display(description="Role")
    def roles(self, user):
        return ", ".join(roles_of(user)) or ("superuser" if user.is_superuser else "no role")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not (obj.is_staff or obj.is_superuser):
            # A customer's page: their history, after their orders' figures.
            at = [name for name, _ in fieldsets].index("Orders") + 1
            fieldsets = [
                *fieldsets[:at],
                ("Customer history", {"fields": CUSTOMER_HISTORY}),
                *fieldsets[at:],
            ]
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
        return money(user.spent_total)

    # A customer's history: each section one query.

    @display(description="Orders placed")
    def order_list(self, user):
        orders = list(
            Order.objects.filter(user=user).order_by("-created_at", "-id")[: HISTORY_ROWS + 1]
        )
        rows = [
            (
                format_html(
                    '<a href="{}">#{}</a>', reverse("admin:orders_order_change", args=[o.pk]), o.pk
                ),
                o.get_status_display(),
                money(o.total_price),
                date_format(timezone.localtime(o.created_at), "d M Y H:i"),
            )
            for o in orders[:HISTORY_ROWS]
        ]
        more = ""
        if len(orders) > HISTORY_ROWS:
            url = reverse("admin:orders_order_changelist") + "?" + urlencode({"q": user.email})
            more = format_html('<a href="{}">All orders of {}</a>', url, user.email)
        return _table(["Order", "Status", "Total", "Placed"], rows, "No orders yet.", more)

    @display(description="Addresses used")
    def addresses_used(self, user):
        rows = [
            (
                linebreaksbr(row["address"]),
                row["orders"],
                date_format(timezone.localtime(row["last"]), "d M Y"),
            )
            for row in customer_addresses(user)
        ]
        return _table(["Address", "Orders", "Last used"], rows, "No orders yet.")

    @display(description="Wishlist")
    def wishlist_items(self, user):
        rows = [
            (w.variant.sku, w.variant.product.name, date_format(w.added_at, "d M Y"))
            for w in customer_wishlist(user)
        ]
        return _table(["SKU", "Product", "Added"], rows, "Nothing saved.")

    @display(description="Cart")
    def cart_lines(self, user):
        rows = [
            (c.variant.sku, c.variant.product.name, c.quantity, date_format(c.created_at, "d M Y"))
            for c in customer_cart(user)
        ]
        return _table(["SKU", "Product", "Quantity", "Added"], rows, "The cart is empty.")

    @display(description="Notes on their orders")
    def order_notes(self, user):
        rows = [
            (
                format_html(
                    '<a href="{}">#{}</a>',
                    reverse("admin:orders_order_change", args=[n.order_id]),
                    n.order_id,
                ),
                linebreaksbr(n.text),
                n.author.email,
                date_format(timezone.localtime(n.created_at), "d M Y H:i"),
            )
            for n in customer_notes(user)
        ]
        return _table(["Order", "Note", "By", "Written"], rows, "No notes.")

    # Inviting staff: one role of three, an e-mail to choose a password.

    def has_invite_staff_permission(self, request):
        return request.user.is_superuser

    @action(description="Invite staff", permissions=["invite_staff"], icon="person_add")
    def invite_staff(self, request):
        form = InviteStaffForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                user = staff_invite(
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    actor=request.user,
                )
            except StaffInviteError as error:
                form.add_error("email", str(error))
            else:
                submissions.applied(request)
                self.message_user(request, f"{user.email} is invited as {data['role']}.")
                # The e-mail goes once the account is committed (its link must work).
                transaction.on_commit(partial(self._send_invitation, request, user, data["role"]))
                return redirect(reverse("admin:users_user_changelist") + "?is_staff__exact=1")
        return render_action_form(
            self,
            request,
            title="Invite staff",
            form=form,
            submit="Invite",
            intro="The new member of staff gets an e-mail with a link to choose a password; "
            "their role decides what they see and may do.",
        )

    def _send_invitation(self, request, user, role):
        reset = StaffPasswordResetForm({"email": user.email})
        reset.is_valid()
        try:
            reset.save(
                request=request,
                use_https=request.is_secure(),
                subject_template_name="access/password_reset/invite_subject.txt",
                email_template_name="access/password_reset/invite_email.txt",
                extra_email_context={"role": role, "site_name": "ModestWear back office"},
            )
        except Exception as error:  # noqa: BLE001 — the account exists; say how to retry
            messages.warning(
                request,
                f"The invitation e-mail to {user.email} could not be sent "
                f"({type(error).__name__}). They can use “Forgot your password?” on the "
                "sign-in page once mail works.",
            )
        else:
            messages.success(request, f"An e-mail asks {user.email} to choose a password.")

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
        self.message_user(request, f"{counted(changed, 'account')} deactivated.")


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ScopedAdmin, ModelAdmin):
    pass

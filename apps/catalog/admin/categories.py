from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from mptt.forms import MPTTAdminForm, TreeNodeChoiceField
from unfold.admin import ModelAdmin
from unfold.decorators import action, display
from unfold.widgets import UnfoldAdminSelectWidget

from apps.access.modeladmin import AccessPolicyAdmin
from apps.catalog.models import Category
from apps.catalog.resources import CategoryResource
from apps.catalog.selectors import subtree_product_totals
from apps.catalog.services import (
    TREE_STATE,
    CategoryMoveError,
    MovePosition,
    category_changes_since,
    category_move,
    category_set_active,
    category_tree_state,
    lock_category_tree,
    product_changes_since,
)
from apps.feed.visibility import hidden_ancestor, product_shown
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import render_action_form
from apps.toolkit.confirmations import ConfirmationForm, Seen, StateChanged, digest, shown_again
from apps.toolkit.importing import AuditedImportExportAdmin
from apps.toolkit.words import counted


class MoveCategoryForm(ConfirmationForm):
    target = TreeNodeChoiceField(
        queryset=Category.objects.all(),
        required=False,
        empty_label="(top level)",
        label="Move next to or under",
        widget=UnfoldAdminSelectWidget,
    )
    position = forms.ChoiceField(
        choices=MovePosition.choices,
        initial=MovePosition.LAST_CHILD,
        widget=UnfoldAdminSelectWidget,
    )


class CategoryChangeList(ChangeList):
    """Adds each listed category's product counts (all, and those the storefront shows),
    its subcategories included.

    One grouped count over the products and one read of the tree replace a correlated
    subquery per category, which at 100k products cost a third of a second per page.
    """

    def get_ordering(self, request, queryset):
        # Always the tree's order: sorted any other way, the indented names would sit under
        # parents that are not theirs.
        return ["tree_id", "lft"]

    def get_results(self, request):
        super().get_results(request)
        totals = subtree_product_totals(all=Q(), shown=product_shown())
        for category in self.result_list:
            counts = totals.get(category.pk, {"all": 0, "shown": 0})
            category.product_total, category.product_shown = counts["all"], counts["shown"]


@admin.register(Category)
class CategoryAdmin(AuditedImportExportAdmin, AccessPolicyAdmin, ModelAdmin):
    # mptt's form refuses a parent inside the category's own subtree (else a 500 on save).
    form = MPTTAdminForm
    list_display = ["tree_name", "slug", "products_in_subtree", "is_active", "storefront"]
    list_display_links = ["tree_name"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "parent", "is_active"]
    list_per_page = 500
    ordering = ["tree_id", "lft"]
    sortable_by = ()  # the tree's order only (CategoryChangeList.get_ordering)
    actions = ["show_in_storefront", "hide_from_storefront"]
    resource_classes = [CategoryResource]
    actions_row = ["move_category"]
    actions_detail = ["move_category"]

    def get_changelist(self, request, **kwargs):
        return CategoryChangeList

    def get_readonly_fields(self, request, obj=None):
        # A category's place in the tree changes through "Move" (the category service), which
        # keeps the tree valid and records the move; the form sets it only for a new one.
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "parent"] if obj is not None else readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            return TreeNodeChoiceField(
                queryset=Category.objects.all(),
                required=False,
                empty_label="(top level)",
                widget=UnfoldAdminSelectWidget,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @display(description="Category", ordering="lft")
    def tree_name(self, category):
        return format_html(
            '<span style="padding-left:{}rem">{}{}</span>',
            category.level * 1.5,
            "└ " if category.level else "",
            category.name,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(hidden_by_tree=hidden_ancestor())

    @display(description="Products shown (with subcategories)")
    def products_in_subtree(self, category):
        if category.product_shown == category.product_total:
            return category.product_total
        return f"{category.product_shown} of {category.product_total}"

    @display(
        description="Storefront",
        label={"shown": "success", "hidden": "danger", "hidden with a parent": "warning"},
    )
    def storefront(self, category):
        if not category.hidden_by_tree:
            return "shown"
        return "hidden" if not category.is_active else "hidden with a parent"

    def revert_disabled(self, request, obj=None):
        # A reverted row would restore stale tree columns (lft/rght) and corrupt the tree.
        return True

    def save_model(self, request, obj, form, change):
        if not change:  # a new category rewrites its neighbours' tree columns: one at a time
            lock_category_tree()
        super().save_model(request, obj, form, change)

    @admin.action(description="Show in the storefront", permissions=["change"])
    def show_in_storefront(self, request, queryset):
        changed = category_set_active(categories=queryset, active=True, actor=request.user)
        self.message_user(
            request, f"{counted(changed, 'category', 'categories')} shown in the storefront."
        )

    @admin.action(
        description="Hide from the storefront, with everything under them…", permissions=["change"]
    )
    def hide_from_storefront(self, request, queryset):
        """Asks first, on a page saying what leaves the storefront; confirmed over the tree
        that page showed."""
        categories = list(queryset.order_by("tree_id", "lft"))
        totals = hiding_totals()
        seen = Seen.now(hiding_state(categories, totals)())
        form = ConfirmationForm(request.POST if "confirm" in request.POST else None, seen=seen)
        if form.is_valid():
            try:
                changed = category_set_active(
                    categories=queryset,
                    active=False,
                    actor=request.user,
                    seen=form.cleaned_data["seen_state"],
                    state=hiding_state(categories),
                    changes=partial(hiding_changes, categories),
                )
            except StateChanged as change:
                form = shown_again(ConfirmationForm, request.POST, seen, str(change))
            else:
                hidden = counted(changed, "category", "categories")
                theirs = "its" if changed == 1 else "their"
                self.message_user(
                    request, f"{hidden} hidden, with {theirs} subcategories and products."
                )
                return None
        selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        across = request.POST.get("select_across") == "1"
        return render_action_form(
            self,
            request,
            title=f"Hide {counted(len(categories), 'category', 'categories')}",
            form=form,
            submit="Hide from the storefront",
            intro="Hidden categories leave the storefront with everything under them: their "
            "subcategories and their products. Showing them again brings all of it back.",
            summary=hiding_summary(categories, totals),
            hidden_fields=[("action", "hide_from_storefront"), ("select_across", int(across))]
            + [(admin.helpers.ACTION_CHECKBOX_NAME, pk) for pk in selected],
        )

    @action(description="Move", permissions=["change"], icon="move_item", url_path="move")
    def move_category(self, request, object_id):
        category = self.get_object(request, object_id)
        if category is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        seen = Seen.now(category_tree_state())
        form = MoveCategoryForm(request.POST or None, seen=seen)
        if request.method == "POST" and form.is_valid():
            try:
                category_move(
                    category=category,
                    target=form.cleaned_data["target"],
                    position=form.cleaned_data["position"],
                    actor=request.user,
                    seen=form.cleaned_data["seen_state"],
                )
            except StateChanged as change:
                form = shown_again(MoveCategoryForm, request.POST, seen, str(change))
            except CategoryMoveError as error:
                form.add_error("target", str(error))
            else:
                submissions.applied(request)
                messages.success(request, f"“{category}” moved, with its subcategories.")
                return redirect(reverse("admin:catalog_category_changelist"))
        return render_action_form(
            self,
            request,
            title=f"Move “{category}”",
            obj=category,
            form=form,
            submit="Move",
            intro=f"“{category}” is now {place_of(category)}. It moves with all its "
            "subcategories and products.",
        )


def place_of(category: Category) -> str:
    """ "under “Clothing › Abayas”" or "at the top level": where a category sits now."""
    category.refresh_from_db()
    if category.parent_id is None:
        return "at the top level"
    path = " › ".join(c.name for c in category.parent.get_ancestors(include_self=True))
    return f"under “{path}”"


def hiding_totals() -> dict[int, dict[str, int]]:
    """Per category, its subtree's products the storefront shows, and the featured ones."""
    return subtree_product_totals(
        shown=product_shown(), featured=product_shown() & Q(is_featured=True)
    )


def hiding_state(categories, totals=None):
    """What the hide confirmation shows, as a digest of the tree rows given (the tree now, by
    default): the tree, and what each category takes off the storefront."""

    def state(rows=None):
        counts = totals or hiding_totals()
        shown = [
            (c.pk, counts.get(c.pk, {}).get("shown", 0), counts.get(c.pk, {}).get("featured", 0))
            for c in categories
        ]
        return digest(
            [*(Category.objects.values_list(*TREE_STATE) if rows is None else rows), *shown]
        )

    return state


def hiding_changes(categories, since) -> str:
    subtree = Category.objects.get_queryset_descendants(
        Category.objects.filter(pk__in=[c.pk for c in categories]), include_self=True
    ).values_list("pk", flat=True)
    said = [category_changes_since(since), product_changes_since(since, subtree)]
    return " ".join(part for part in said if part)


def hiding_summary(categories, totals) -> str:
    """What hiding ``categories`` takes off the storefront: each with its subtree's products
    shown now, featured ones among them."""
    rows = []
    for category in categories:
        counts = totals.get(category.pk, {"shown": 0, "featured": 0})
        state = "already hidden" if not category.is_active else "shown"
        rows.append(
            (
                category.name,
                state,
                counted(category.get_descendant_count(), "subcategory", "subcategories"),
                counts["shown"],
                counts["featured"],
            )
        )
    body = format_html_join(
        "",
        '<tr class="border-t border-base-200 dark:border-base-800">'
        + '<td class="px-2 py-1">{}</td>' * 5
        + "</tr>",
        rows,
    )
    return format_html(
        '<table class="w-full text-sm" id="hiding"><thead><tr>'
        '<th class="px-2 py-1 text-left">Category</th><th class="px-2 py-1 text-left">Now</th>'
        '<th class="px-2 py-1 text-left">Under it</th>'
        '<th class="px-2 py-1 text-left">Products leaving the storefront</th>'
        '<th class="px-2 py-1 text-left">of them featured</th></tr></thead>'
        "<tbody>{}</tbody></table>",
        body,
    )

"""The product form and its inlines: what a merchandiser fills in to make a product in one
pass (category by path, variants from the generator, images with a feature image)."""

from django import forms
from django.utils.html import format_html
from unfold.admin import TabularInline
from unfold.decorators import display
from unfold.fields import UnfoldAdminAutocompleteModelChoiceField
from unfold.widgets import (
    UnfoldAdminAutocompleteModelChoiceFieldWidget,
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminImageSmallFieldWidget,
    UnfoldAdminTextInputWidget,
)

from apps.catalog.generator import (
    DEFAULT_PATTERN,
    MAX_PATTERN_LENGTH,
    PATTERN_PARTS,
    VariantPlanError,
    plan_problems,
    variant_plan,
)
from apps.catalog.models import Category, ProductImage, ProductVariant
from apps.catalog.selectors import category_choices
from apps.feed.visibility import visible_categories
from apps.toolkit.admin_helpers import AsciiNumbersMixin
from apps.toolkit.forms import SeenValuesModelForm
from apps.toolkit.kept_uploads import keeps_chosen_file, lost_uploads, refuse_invalid_uploads
from apps.toolkit.numbers import parse_id


class VariantInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        planned = {row.sku: row for row in getattr(self.instance, "variants_planned", [])}
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or data.get("sku") not in planned:
                continue
            row = planned[data["sku"]]
            if (data.get("size"), str(data.get("color", "")).casefold()) != (
                row.size,
                row.colour.casefold(),
            ):
                raise forms.ValidationError(
                    f"{row.sku} is typed in a row and would also be made by “Make variants” "
                    f"(size {row.size_label}, {row.colour}): change one of them."
                )


class VariantInline(AsciiNumbersMixin, TabularInline):
    model = ProductVariant
    formset = VariantInlineFormSet
    extra = 0
    fields = ["sku", "size", "color", "coverage", "stock_available", "is_active"]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        coverage = formset.form.base_fields.get("coverage")
        if coverage is not None:
            # Evaluated once for every row, instead of one query per variant row.
            coverage.choices = list(coverage.choices)
        return formset

    # Stock changes only through the stock service (the stock list and "Adjust stock"),
    # which records a reason; a superuser's product form is no exception.
    readonly_fields = ["stock_available"]


class ImageInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        refuse_invalid_uploads(self.forms)
        lost = lost_uploads(self.forms)
        if lost:
            raise forms.ValidationError(
                f"{', '.join(f'“{name}”' for name in lost)}: chosen over an hour ago and no "
                "longer held; choose the image again."
            )
        kept = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("image") or form.instance.pk)
        ]
        features = sum(1 for form in kept if form.cleaned_data.get("is_feature"))
        if kept and features == 0:
            # None chosen: the first image (as ordered) is the feature image, rather than an
            # error that makes the merchandiser choose every file again.
            first = min(kept, key=lambda form: form.cleaned_data.get("position") or 0)
            first.cleaned_data["is_feature"] = True
            first.instance.is_feature = True
            features = 1
        if kept and features != 1:
            raise forms.ValidationError(
                "Mark exactly one image as the feature image (the one shown in listings); "
                f"{features} are marked."
            )


class ImageInline(AsciiNumbersMixin, TabularInline):
    model = ProductImage
    formset = ImageInlineFormSet
    extra = 0
    fields = ["preview", "image", "is_feature", "position"]
    readonly_fields = ["preview"]
    ordering_field = "position"
    hide_ordering_field = True

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "image":
            # Images chosen before the form came back with an error elsewhere are kept, for
            # the person who chose them.
            widget = keeps_chosen_file(UnfoldAdminImageSmallFieldWidget)()
            widget.owner = request.user.pk
            kwargs["widget"] = widget
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @display(description="Preview")
    def preview(self, image):
        if not image.thumbnail:
            return "—"
        return format_html(
            '<img src="{}" alt="" style="height:72px;border-radius:4px">', image.thumbnail.url
        )


def category_label(path: str, hidden: bool) -> str:
    return f"{path} (hidden from the storefront)" if hidden else path


class CategoryPickerWidget(UnfoldAdminAutocompleteModelChoiceFieldWidget):
    """Renders only the chosen category, labelled with its path in one query (as Django's
    own autocomplete widget does): the others come from the picker's searches, not from one
    <option> and one path query per category on every render of the form."""

    def optgroups(self, name, value, attrs=None):
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        ids = [parse_id(v) for v in value if v not in ("", None)]
        chosen = category_choices().filter(pk__in=[pk for pk in ids if pk])
        for row in chosen:
            label = category_label(row.path, row.hidden)
            options.append(self.create_option(name, row.pk, label, True, len(options)))
        return [(None, options, 0)]


class CategoryPathField(UnfoldAdminAutocompleteModelChoiceField):
    """The product's category, searched and shown by its path ("Clothing › Dresses"), the
    hidden ones marked (ProductAdmin.category_picker_view answers the searches)."""

    widget = CategoryPickerWidget


class ProductForm(SeenValuesModelForm):
    # Two merchandisers pricing the same product: the second is told, not overwritten.
    seen_fields = ("base_price",)

    category = CategoryPathField(
        url_path="admin:catalog_product_category_picker",
        queryset=Category.objects.all(),
        help_text="Type words of its path: “dresses”, “clothing abayas”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None and "category" in self.fields:
            # A new product's picker offers hidden categories marked, but not to choose.
            widget = self.fields["category"].widget
            widget.attrs["data-ajax--url"] = f"{widget.attrs['data-ajax--url']}?new=1"

    # The variant generator (a section of the form; ProductAdmin shows it to those who may
    # make variants): sizes × colours, SKUs from a pattern, previewed as they are typed.
    make_sizes = forms.TypedMultipleChoiceField(
        label="Sizes",
        choices=ProductVariant.Size.choices,
        coerce=int,
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
    )
    make_colours = forms.CharField(
        label="Colours",
        required=False,
        max_length=2000,
        widget=UnfoldAdminTextInputWidget(attrs={"placeholder": "Black, Sage, Dusty Rose"}),
        help_text="Separated by commas.",
    )
    make_pattern = forms.CharField(
        label="SKU pattern",
        required=False,
        initial=DEFAULT_PATTERN,
        max_length=MAX_PATTERN_LENGTH,
        widget=UnfoldAdminTextInputWidget,
        help_text="From "
        + "; ".join(f"{{{name}}} {meaning}" for name, meaning in PATTERN_PARTS.items())
        + ".",
    )
    GENERATOR_FIELDS = {"sizes": "make_sizes", "colours": "make_colours", "pattern": "make_pattern"}

    def clean(self):
        cleaned = super().clean()
        self.variants_planned = []
        if "make_sizes" not in self.fields:
            return cleaned
        sizes, colours = cleaned.get("make_sizes") or [], cleaned.get("make_colours") or ""
        if not sizes and not colours.strip():
            return cleaned
        if not cleaned.get("name") or not cleaned.get("slug"):
            return cleaned  # their own errors say what to fix first
        try:
            plan = variant_plan(
                product_id=self.instance.pk,
                name=cleaned["name"],
                slug=cleaned["slug"],
                sizes=sizes,
                colours=colours,
                pattern=cleaned.get("make_pattern") or "",
            )
        except VariantPlanError as error:
            self.add_error(self.GENERATOR_FIELDS[error.field], str(error))
            return cleaned
        problems = plan_problems(plan)
        if problems:
            self.add_error("make_pattern", f"These variants cannot be made: {problems}.")
        self.variants_planned = [row for row in plan if not row.exists]
        # The variant rows typed in the same submit are checked against it (their formset
        # is made with this instance, after this form is cleaned).
        self.instance.variants_planned = self.variants_planned
        return cleaned

    def clean_category(self):
        category = self.cleaned_data["category"]
        new = self.instance.pk is None
        if new and not visible_categories().filter(pk=category.pk).exists():
            raise forms.ValidationError(
                f"“{category}” is hidden from the storefront (it or a category above it), so "
                "a new product there would not be seen: choose a shown category, or show "
                "that one first."
            )
        return category

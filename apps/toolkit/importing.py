"""What every import and export shares: file formats, validation, audit and bulk writes.

django-import-export does the parsing, the preview and the confirm step; this module makes its
imports all-or-nothing, fast on big files (cached lookups, bulk writes) and audited (every
changed object gets a history row naming the importing user and the batch).
"""

import copy
import csv
import io
import uuid

import tablib
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader
from import_export.tmp_storages import CacheStorage
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from apps.access.policy import can, require
from apps.catalog.signals import catalog_bulk_changed

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell a spreadsheet will show as text: '=HYPERLINK(..)' becomes "'=HYPERLINK(..)"."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    safe = tablib.Dataset(headers=dataset.headers)
    for row in dataset:
        safe.append([neutralise(cell) for cell in row])
    return safe


class ImportFileError(ValueError):
    """A file that cannot be read as a table; the message says why, for the member of staff."""


class CSV(base_formats.CSV):
    """UTF-8 CSV, with or without a byte-order mark, separated by commas or semicolons."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."
                ) from error
        text = in_stream.removeprefix("\ufeff")
        if "\x00" in text:
            raise ImportFileError("The file is binary, not CSV text.")
        header = text.split("\n", 1)[0]
        if not header.strip():
            raise ImportFileError("The file is empty or its first line (the header) is blank.")
        delimiter = ";" if header.count(";") > header.count(",") else ","
        return tablib.import_set(text, format="csv", delimiter=delimiter)

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        if not in_stream[:2] == b"PK":
            raise ImportFileError("The file is not an Excel workbook (.xlsx).")
        return super().create_dataset(in_stream, **kwargs)

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


FORMATS = [CSV, XLSX]


def new_batch_name(file_name: str = "") -> str:
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    label = f" {file_name}" if file_name else ""
    return f"Import {uuid.uuid4().hex[:8]}{label} ({stamp})"


class CachedForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key looked up in a dict primed once per import, not a query per row."""

    def __init__(self, model, field, label):
        super().__init__(model, field)
        self.label = label
        self.cache: dict[str, object] | None = None

    def prime(self, values) -> None:
        wanted = {str(v).strip() for v in values if v not in (None, "")}
        objects = self.model._default_manager.filter(**{f"{self.field}__in": wanted})
        self.cache = {str(getattr(obj, self.field)): obj for obj in objects}

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        key = str(value).strip()
        if self.cache is None:
            self.prime([key])
        try:
            return self.cache[key]
        except KeyError:
            raise ValueError(f"unknown {self.label} “{key}”") from None


class AuditedResource(resources.ModelResource):
    """Base resource: all-or-nothing, checked columns, cached lookups, audited bulk writes.

    Subclasses set ``required_columns`` (a value needed on every row) and may add
    ``optional_columns``; any other column in the file is refused. ``key_column`` may appear
    only once per file.
    """

    #: The permission ("app_label.codename") an importer needs; nobody may import without one.
    import_permission = ""
    required_columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    key_column = ""

    class Meta:
        abstract = True
        use_bulk = True
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = CachedInstanceLoader

    def __init__(self, *, user=None, batch_name=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.batch_name = batch_name
        self._seen_keys: dict[str, int] = {}
        self._file_ok = False

    def import_data(self, dataset, **kwargs):
        # One invalid row refuses the whole file: roll back on validation errors too.
        kwargs["rollback_on_validation_errors"] = True
        # Field-level differences are for the preview; the confirmed write skips them (they
        # cost more than the write). Options are copied so other imports are not affected.
        self._meta = copy.copy(self._meta)
        self._meta.skip_diff = not kwargs.get("dry_run", False)
        self.user = kwargs.get("user", self.user)
        # The resource names the permission it needs; whoever calls (the admin, a command, a
        # future API) is checked here, before anything is read or written.
        require(
            self.user,
            self.import_permission,
            f"import {self._meta.model._meta.verbose_name_plural}",
        )
        self.batch_name = self.batch_name or new_batch_name(kwargs.get("file_name") or "")
        result = super().import_data(dataset, **kwargs)
        if not kwargs.get("dry_run") and not result.has_errors():
            catalog_bulk_changed.send(sender=self._meta.model)
        return result

    def before_import(self, dataset, **kwargs):
        self._file_ok = False
        headers = [str(h or "").strip() for h in dataset.headers or []]
        dataset.headers = headers
        if not headers or not any(headers):
            raise ImportFileError("The file has no header row.")
        allowed = set(self.required_columns) | set(self.optional_columns)
        unknown = [h for h in headers if h not in allowed]
        missing = [c for c in self.required_columns if c not in headers]
        problems = []
        if missing:
            problems.append("missing column(s): " + ", ".join(missing))
        if unknown:
            problems.append("unknown column(s): " + ", ".join(unknown))
        if problems:
            expected = ", ".join([*self.required_columns, *self.optional_columns])
            raise ImportFileError(
                f"The header is wrong: {'; '.join(problems)}. Expected: {expected}."
            )
        limit = settings.IMPORT_MAX_ROWS
        if len(dataset) > limit:
            raise ImportFileError(f"The file has {len(dataset)} rows; at most {limit} at once.")
        self._seen_keys = {}
        self.prime_lookups(dataset)
        self._file_ok = True

    def prime_lookups(self, dataset) -> None:
        """Fill the cached widgets from the whole file, one query each."""

    progress = None  # a tqdm bar, set by the import_catalog command

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if self.progress is not None:
            self.progress.update(1)

    def before_import_row(self, row, **kwargs):
        errors = {}
        for column in self.required_columns:
            if str(row.get(column) or "").strip() == "":
                errors[column] = f"column “{column}” is empty; it is required"
        if self.key_column:
            key = str(row.get(self.key_column) or "").strip()
            first = self._seen_keys.setdefault(key, kwargs["row_number"])
            if key and first != kwargs["row_number"]:
                errors[self.key_column] = (
                    f"{self.key_column} “{key}” appears twice in the file (rows {first} and "
                    f"{kwargs['row_number']})"
                )
        if errors:
            raise ValidationError(errors)

    def import_instance(self, instance, row, **kwargs):
        before = self._import_values(instance) if instance.pk else None
        super().import_instance(instance, row, **kwargs)
        instance._import_unchanged = before is not None and before == self._import_values(instance)

    def _import_values(self, instance):
        values = []
        for field in self.get_import_fields():
            if field.attribute and not field.readonly:
                value = field.get_value(instance)
                values.append(getattr(value, "pk", value))
        return values

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own validation, as the admin's forms run it (lengths, validators,
        choices), on every row; problems are reported under the file's column names.

        Foreign keys were resolved by their widgets (one query per file, not per row) and
        uniqueness is the import key's, so neither is checked again row by row.
        """
        errors = dict(import_validation_errors or {})
        exclude = set(errors) | {f.name for f in instance._meta.concrete_fields if f.is_relation}
        try:
            instance.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            columns = {f.attribute: f.column_name for f in self.fields.values() if f.attribute}
            raise ValidationError({columns.get(key, key): value for key, value in errors.items()})

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # import-export compares against a deep copy made for the diff; this comparison
        # works without the diff, so unchanged rows are skipped on the fast path too.
        if import_validation_errors or not self._meta.skip_unchanged:
            return False
        return getattr(instance, "_import_unchanged", False)

    def import_row(self, row, instance_loader, **kwargs):
        if not self._file_ok:
            # The file itself was refused (see before_import): its rows are not looked at.
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_SKIP
            return row_result
        # Required-column and duplicate checks are validation errors of the row, reported
        # with the row's other problems instead of stopping the preview.
        try:
            self.before_import_row(row, **kwargs)
        except ValidationError as error:
            row_result = self.get_row_result_class()()
            row_result.import_type = row_result.IMPORT_TYPE_INVALID
            row_result.validation_error = error
            return row_result
        return super().import_row(row, instance_loader, **kwargs)

    # Audited writes: one by one (history through the model's signal) or in bulk.

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        instance._history_user = self.user
        instance._change_reason = self.batch_name

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                bulk_create_with_history(
                    self.create_instances,
                    self._meta.model,
                    batch_size=batch_size,
                    default_user=self.user,
                    default_change_reason=self.batch_name,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                bulk_update_with_history(
                    self.update_instances,
                    self._meta.model,
                    self.get_bulk_update_fields(),
                    batch_size=batch_size,
                    default_user=self.user,
                    default_change_reason=self.batch_name,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()

    def export_rows(self, queryset, chunk_size=1000):
        """Header then one list per object, read in chunks: for streamed exports."""
        yield self.get_export_headers()
        for instance in queryset.iterator(chunk_size=chunk_size):
            yield [neutralise(value) for value in self.export_resource(instance)]


def stream_csv(rows):
    """Yield CSV text chunk by chunk (UTF-8 with BOM so that Excel reads the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for index, row in enumerate(rows):
        writer.writerow(row)
        if index % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def describe_errors(result) -> list[str]:
    """Every problem of an import result, as 'Row N, column C: reason' lines."""
    lines = [f"File: {error.error}" for error in result.base_errors]
    for row in result.invalid_rows:
        for field, problems in row.field_specific_errors.items():
            lines += [f"Row {row.number}, column {field}: {message}" for message in problems]
        lines += [f"Row {row.number}: {message}" for message in row.non_field_specific_errors]
    for number, errors in result.row_errors():
        lines += [f"Row {number}: {error.error}" for error in errors]
    return lines


# How long a confirmed upload is remembered, to answer a repeated confirmation.
CONFIRMED_FOR = 24 * 60 * 60


class SizeLimitedImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.0f} MB. Split it, or use the import_catalog command."
            )
        return upload


class AuditedImportExportAdmin(ImportExportModelAdmin):
    """Import and export in the admin, with unfold's forms and per-role resources.

    Each resource names the permission it needs (``import_permission``): the warehouse sees
    the stock update, merchandising the catalog resources, and nobody imports into what they
    may not change.
    """

    formats = FORMATS
    import_form_class = SizeLimitedImportForm
    export_form_class = ExportForm

    def get_import_resource_classes(self, request):
        return [
            resource
            for resource in super().get_import_resource_classes(request)
            if can(request.user, resource.import_permission)
        ]

    def has_import_permission(self, request):
        return bool(self.get_import_resource_classes(request))

    # Confirmation: idempotent, and never a success that did not happen ----------------------

    def process_import(self, request, **kwargs):
        """Confirm a previewed import once. The pending upload lives in the shared cache
        (IMPORT_EXPORT_TMP_STORAGE_CLASS), so any instance can confirm it; a second
        confirmation (a double click, a browser retry) is told what the first one did."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        key = f"import-confirmed:{request.POST.get('import_file_name', '')}"
        if request.method == "POST" and not cache.add(key, {"summary": None}, CONFIRMED_FOR):
            done = cache.get(key) or {}
            summary = done.get("summary") or "it is still running"
            messages.info(
                request,
                format_html(
                    "This file was already confirmed: {} Nothing was imported twice. "
                    '<a href="{}">See the list</a>.',
                    summary,
                    self._changelist_url(),
                ),
            )
            return redirect(self._changelist_url())
        tmp_name = request.POST.get("import_file_name", "")
        if request.method == "POST" and cache.get(CacheStorage.CACHE_PREFIX + tmp_name) is None:
            cache.delete(key)
            messages.error(
                request,
                "That upload is no longer available (it expires after a day, or was never "
                "made): upload the file again.",
            )
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        request._import_confirmation_key = key
        try:
            return super().process_import(request, **kwargs)
        except Exception:
            cache.delete(key)
            raise

    def process_result(self, result, request):
        key = getattr(request, "_import_confirmation_key", None)
        problems = describe_errors(result)
        if problems:
            if key:
                cache.delete(key)  # nothing was written: a fresh upload may be confirmed
            shown = " · ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
            messages.error(
                request,
                "Nothing was imported: the file no longer passes the checks it passed in the "
                f"preview (the shop's data changed meanwhile). {shown}",
            )
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        totals = result.totals
        written = totals["new"] + totals["update"] + totals["delete"]
        summary = (
            f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged "
            f"{self.opts.verbose_name_plural}."
        )
        if key:
            cache.set(key, {"summary": summary}, CONFIRMED_FOR)
        if not written:
            messages.warning(request, f"Nothing was imported: every row already matched. {summary}")
            return redirect(self._changelist_url())
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"Import finished: {totals['new']} new, {totals['update']} updated, "
            f"{totals['skip']} unchanged {self.opts.verbose_name_plural}.",
        )

    def _changelist_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                f"The file could not be read ({type(e).__name__}). Check that it is a CSV "
                "(UTF-8) or an Excel .xlsx file and that the format chosen matches it.",
            )

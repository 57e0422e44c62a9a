"""What every import and export shares: file formats, validation, audit and bulk writes.

django-import-export does the parsing, the preview and the confirm step; this module makes its
imports all-or-nothing, fast on big files (cached lookups, bulk writes) and audited (every
changed object gets a history row naming the importing user and the batch).
"""

import copy
import csv
import io
import re
import uuid

import tablib
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.html import format_html
from import_export import resources, widgets
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader
from import_export.signals import post_import
from import_export.tmp_storages import CacheStorage
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from unfold.contrib.import_export.forms import ExportForm, ImportForm

from apps.access.policy import can, require
from apps.toolkit import submissions
from apps.toolkit.admin_helpers import EstimatedCountPaginator
from apps.toolkit.guarded import GuardedFieldError
from apps.toolkit.history import last_change
from apps.toolkit.numbers import parse_int
from apps.toolkit.templatetags.filter_chips import filter_chips

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
        return read_csv(text, delimiter)

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


def read_csv(text: str, delimiter: str) -> tablib.Dataset:
    """The table in ``text``; a malformed line is named (tablib's reader only says "Error").

    The file's size is already bounded (IMPORT_MAX_BYTES), so a cell may be as long as the
    file: the model's validation, not the CSV reader's 128 KB field limit, says what fits.
    """
    csv.field_size_limit(max(csv.field_size_limit(), settings.IMPORT_MAX_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ImportFileError(
            f"Line {reader.line_num} of the file cannot be read as CSV ({error}): check its "
            "quotes, or save the file again as “CSV UTF-8”."
        ) from None
    return tidy(rows[0], rows[1:], f"its separators ({delimiter!r}) and quotes")


def tidy(header, rows, check: str) -> tablib.Dataset:
    """One table, whatever wrote it: cells without surrounding spaces (as a form strips
    what is typed), no blank rows at the end, no unnamed empty columns, and every column
    named once. Rows are numbered as the preview numbers them (the first under the header)."""

    def clean(cell):
        if cell is None:
            return ""
        return cell.strip() if isinstance(cell, str) else cell

    def blank(cell) -> bool:
        return clean(cell) == ""

    header = [str(clean(name)) for name in header]
    rows = [list(row) for row in rows]
    while rows and all(blank(cell) for cell in rows[-1]):
        rows.pop()  # blank lines at the end of a hand-edited file or a formatted sheet
    width = len(header)
    for number, row in enumerate(rows, start=1):
        if any(not blank(cell) for cell in row[width:]):
            raise ImportFileError(
                f"Row {number} has {len(row)} cells where the header has {width}: check {check}."
            )
        # Spreadsheets drop empty cells at the end of a line: they are empty, not missing.
        row[:] = [clean(cell) for cell in row[:width]] + [""] * (width - len(row))
    keep = []
    for index, name in enumerate(header):
        if name:
            keep.append(index)
        elif any(not blank(row[index]) for row in rows):
            raise ImportFileError(
                f"Column {index + 1} has values but no name in the header row: name it or "
                "remove it."
            )
    names = [header[index] for index in keep]
    for name in dict.fromkeys(names):
        if names.count(name) > 1:
            columns = [str(i + 1) for i in keep if header[i] == name]
            raise ImportFileError(
                f"The header names “{name}” more than once (columns {' and '.join(columns)}): "
                "keep one."
            )
    dataset = tablib.Dataset(headers=names)
    for row in rows:
        dataset.append([row[index] for index in keep])
    return dataset


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        if not in_stream[:2] == b"PK":
            raise ImportFileError("The file is not an Excel workbook (.xlsx).")
        sheet = super().create_dataset(in_stream, **kwargs)
        return tidy(sheet.headers or [], list(sheet), "the sheet's columns")

    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralise_dataset(dataset), **kwargs)


FORMATS = [CSV, XLSX]


BATCH_ID = re.compile(r"[0-9a-f]{8}")


def new_batch_name(file_name: str = "") -> str:
    """ "Import 1a2b3c4d stock.csv (2026-11-28 10:42)": every history row the import writes
    carries it as its reason, so the batch can be listed (ImportBatchFilter)."""
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    label = f" {file_name}" if file_name else ""
    return f"Import {uuid.uuid4().hex[:8]}{label} ({stamp})"


def batch_id(batch_name: str) -> str:
    return batch_name.split()[1]


class ImportBatchFilter(admin.SimpleListFilter):
    """``?import=1a2b3c4d``: the rows one import created or changed, found through the
    history rows it wrote. Offered only once chosen (the link after an import): listing
    every batch would cost a scan of the history on every page."""

    title = "import"
    parameter_name = "import"

    def __init__(self, request, params, model, model_admin):
        self.history_model = model.history.model
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        batch = self.value()
        if not batch:
            return []
        if BATCH_ID.fullmatch(batch):
            return [(batch, f"Import {batch}")]
        return [(batch, "Import (no such import)")]  # shown, so an empty list explains itself

    def queryset(self, request, queryset):
        batch = self.value()
        if not batch:
            return queryset
        if not BATCH_ID.fullmatch(batch):
            return queryset.none()
        # The batch name starts the reason ("Import 1a2b3c4d …"), or follows the stock
        # service's "Import: " label: a note ("Received: Import 1a2b3c4d …") or a file name
        # that mentions the batch does not match.
        reasons = self.history_model.objects.filter(
            history_change_reason__regex=rf"^(Import: )?Import {batch} "
        )
        return queryset.filter(pk__in=reasons.values(queryset.model._meta.pk.attname))


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


class ArrowDiff(resources.Diff):
    """The preview's cells: the new value, or "old → new" where it changes.

    django-import-export's character diff marks only the characters that differ, so once the
    admin's styles drop its colours 70 → 75 reads "705" and 0 → 25 "025".
    """

    def as_html(self):
        cells = []
        for old, new in zip(self.left, self.right, strict=False):
            old, new = force_str(old), force_str(new)
            if self.new or not old or old == new:
                cells.append(format_html("{}", new))
            else:
                cells.append(
                    format_html(
                        '<span style="text-decoration: line-through; opacity: .6">{}</span>'
                        " → <strong>{}</strong>",
                        old,
                        new or "(empty)",
                    )
                )
        return cells


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
    #: What goes in each column, in a few words, for the upload page.
    column_help: dict[str, str] = {}
    key_column = ""

    class Meta:
        abstract = True
        use_bulk = True
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = CachedInstanceLoader

    def get_diff_class(self):
        return ArrowDiff

    def __init__(self, *, user=None, batch_name=None, preview_key=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.batch_name = batch_name
        #: Names the upload when the admin previews it, then confirms it (see previewed()).
        self.preview_key = preview_key
        self._seen_keys: dict[str, int] = {}
        self._file_ok = False
        self._columns: set[str] = set()
        self._dry_run = False
        self._snapshot: dict[str, dict | None] = {}
        self._previewed: dict[str, dict | None] | None = None

    def import_data(self, dataset, **kwargs):
        # One invalid row refuses the whole file: roll back on validation errors too.
        kwargs["rollback_on_validation_errors"] = True
        self._dry_run = bool(kwargs.get("dry_run", False))
        # Field-level differences are for the preview; the confirmed write skips them (they
        # cost more than the write). Options are copied so other imports are not affected.
        self._meta = copy.copy(self._meta)
        self._meta.skip_diff = not self._dry_run
        self.user = kwargs.get("user", self.user)
        # The resource names the permission it needs; whoever calls (the admin, a command, a
        # future API) is checked here, before anything is read or written.
        require(
            self.user,
            self.import_permission,
            f"import {self._meta.model._meta.verbose_name_plural}",
        )
        self.batch_name = self.batch_name or new_batch_name(kwargs.get("file_name") or "")
        self._snapshot = {}
        result = super().import_data(dataset, **kwargs)
        clean = not result.has_errors() and not result.has_validation_errors()
        if self._dry_run and self.preview_key and clean:
            preview = {
                "user": getattr(self.user, "pk", None),
                "resource": type(self).__name__,
                "rows": self._snapshot,
            }
            cache.set(preview_cache_key(self.preview_key), preview, PREVIEW_KEPT_FOR)
        return result

    # What the preview showed, checked again at the confirmation ------------------------------

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.preview_key and not self._dry_run:
            # Confirming: the rows the file names stay locked from the comparison with the
            # preview to the commit, so nothing can change between the check and the write.
            return queryset.select_for_update(of=("self",))
        return queryset

    def overwritten_values(self, instance, row) -> dict[str, str]:
        """The values of ``instance`` that ``row`` replaces, by column, as the preview showed
        them. A column absent from the file replaces nothing; the key names the row."""
        return {
            field.column_name: str(field.export(instance))
            for field in self.get_import_fields()
            if field.attribute
            and not field.readonly
            and field.column_name in row
            and field.column_name != self.key_column
        }

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if not self.preview_key:
            return
        key = str(row.get(self.key_column) or "").strip()
        now = None if new else self.overwritten_values(instance, row)
        if self._dry_run:
            self._snapshot[key] = now
            return
        if self._previewed is None or key not in self._previewed:
            raise ValidationError({self.key_column: f"“{key}” was not in the preview of this file"})
        then = self._previewed[key]
        if then == now:
            return
        what = f"{self._meta.model._meta.verbose_name} “{key}”"
        if then is None:
            raise ValidationError({self.key_column: f"{what} was created since the preview"})
        if now is None:
            raise ValidationError({self.key_column: f"{what} was deleted since the preview"})
        by = last_change(instance)
        raise ValidationError(
            {
                column: f"{what} went from “{_short(then.get(column))}” to "
                f"“{_short(now[column])}” since the preview{by}"
                for column in now
                if then.get(column) != now[column]
            }
        )

    def before_import(self, dataset, **kwargs):
        self._file_ok = False
        if self.preview_key and not self._dry_run:
            preview = cache.get(preview_cache_key(self.preview_key)) or {}
            self._previewed = preview.get("rows")
            if self._previewed is None or preview.get("resource") != type(self).__name__:
                raise ImportFileError(
                    "The preview of this file is no longer available (it expires after a "
                    "day): upload the file again."
                )
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
        self._columns = set(headers)
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

    def get_bulk_update_fields(self):
        """The model fields the file's columns set: a column absent from the file is not
        written back. A guarded field (see TrackedModel) is never written on this path,
        which bypasses ``save()``: its service must do it (as the stock update does)."""
        keys = {self.fields[name].attribute for name in self.get_import_id_fields()}
        names = [
            field.attribute
            for field in self.get_import_fields()
            if field.attribute
            and not field.readonly
            and field.attribute not in keys
            and field.column_name in self._columns
        ]
        guarded = sorted(set(names) & set(getattr(self._meta.model, "guarded_fields", ())))
        if guarded:
            raise GuardedFieldError(
                f"{self._meta.model._meta.object_name}: {', '.join(guarded)} changes only "
                "through its service, not through a bulk import."
            )
        return names

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                fields = self.get_bulk_update_fields()
                if not fields:  # only the key and read-only columns: nothing to write
                    return
                bulk_update_with_history(
                    self.update_instances,
                    self._meta.model,
                    fields,
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


def preview_cache_key(preview_key: str) -> str:
    return f"import-preview:{preview_key}"


def _short(value, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    lines = [f"File: {_plain(error.error)}" for error in result.base_errors]
    for row in result.invalid_rows:
        for field, problems in row.field_specific_errors.items():
            lines += [f"Row {row.number}, column {field}: {message}" for message in problems]
        lines += [f"Row {row.number}: {message}" for message in row.non_field_specific_errors]
    for number, errors in result.row_errors():
        lines += [f"Row {number}: {_plain(error.error)}" for error in errors]
    return lines


def _plain(error) -> str:
    """A database refusal in words: two imports creating the same key at once end here."""
    if isinstance(error, IntegrityError) and "unique" in str(error).lower():
        return (
            "a row this file creates was created meanwhile (by another import or a "
            "colleague): upload the file again to see a new preview"
        )
    return str(error)


# How long what a preview showed is kept, for its confirmation to be checked against.
PREVIEW_KEPT_FOR = 24 * 60 * 60


class SizeLimitedImportForm(ImportForm):
    """The upload form: a size limit, and the format read from the file's name (.csv, .xlsx)
    unless one is chosen (import-export's script for that does not reach unfold's widgets)."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.extensions = {f().get_extension().lower(): str(i) for i, f in enumerate(formats)}
        field = self.fields["format"]
        field.required = False
        field.choices = [("", "From the file name"), *[c for c in field.choices if c[0] != ""]]
        field.help_text = (
            "Read from the file's name ("
            + ", ".join(f".{extension}" for extension in self.extensions)
            + ") unless you choose."
        )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("import_file")
        if upload is not None and not cleaned.get("format"):
            extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
            if extension in self.extensions:
                cleaned["format"] = self.extensions[extension]
            else:
                known = ", ".join(f".{e}" for e in self.extensions)
                self.add_error(
                    "format",
                    f"“{upload.name}” is not named like a file this page reads ({known}): "
                    "choose its format.",
                )
        return cleaned

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{limit / 1_048_576:.0f} MB. Split it, or use the import_catalog command."
            )
        return upload


class ExportSaysWhatMixin:
    """The export page says what the file will hold: the list as filtered or searched (the
    export follows the list it was opened from), or every row."""

    def export_action(self, request):
        if request.method == "GET" and self.has_export_permission(request):
            try:
                scope = self.export_scope(request)
            except IncorrectLookupParameters:  # a hand-edited link: no list to export
                messages.error(request, "These filters cannot be read: open Export from the list.")
                return redirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
                )
            messages.info(request, scope)
        return super().export_action(request)

    def export_scope(self, request) -> str:
        names = self.opts.verbose_name_plural
        chosen = {k: v for k, v in request.GET.items() if k not in ("o", "p", "e")}
        if not chosen:
            # What this person's list holds (a role may see part of a table), estimated when
            # it is a whole big table.
            count = EstimatedCountPaginator(self.get_queryset(request), 1).count
            return f"This export holds every one of the {count:,} {names}."
        count = self.get_export_queryset(request).count()
        shown = ", ".join(
            f"{chip.title}: {chip.value}"
            for chip in filter_chips(self.get_changelist_instance(request), request.GET)[0]
        )
        return (
            f"This export holds the {count:,} {names} of the list as you filtered it "
            f"({shown}). To export them all, open Export from the unfiltered list."
        )


class AuditedImportExportAdmin(ExportSaysWhatMixin, ImportExportModelAdmin):
    """Import and export in the admin, with unfold's forms and per-role resources.

    Each resource names the permission it needs (``import_permission``): the warehouse sees
    the stock update, merchandising the catalog resources, and nobody imports into what they
    may not change.
    """

    formats = FORMATS
    import_form_class = SizeLimitedImportForm
    export_form_class = ExportForm

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), ImportBatchFilter]

    # The upload page explains each file: its columns, what goes in them, a template ---------

    def import_action(self, request, **kwargs):
        if request.method == "GET" and "template" in request.GET:
            if not self.has_import_permission(request):
                raise PermissionDenied("Your role may not import here.")
            return self.import_template(request, request.GET["template"])
        response = super().import_action(request, **kwargs)
        if getattr(response, "context_data", None) is not None:
            response.context_data["import_files"] = self.import_files(request)
        return response

    def import_files(self, request) -> list[dict]:
        url = self._import_url()
        return [
            {
                "name": resource.get_display_name(),
                "template": f"{url}?template={index}",
                "columns": [
                    (
                        column,
                        column in resource.required_columns,
                        resource.column_help.get(column, ""),
                    )
                    for column in (*resource.required_columns, *resource.optional_columns)
                ],
            }
            for index, resource in enumerate(self.get_import_resource_classes(request))
        ]

    def import_template(self, request, choice):
        resources = self.get_import_resource_classes(request)
        index = parse_int(choice)
        if index is None or index >= len(resources):
            raise Http404("No such import file.")
        resource = resources[index]
        buffer = io.StringIO()
        csv.writer(buffer).writerow([*resource.required_columns, *resource.optional_columns])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        name = f"{self.opts.model_name}-import-template.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def get_import_resource_kwargs(self, request, **kwargs):
        """The upload's name in the shared cache keys what the preview showed, so that the
        confirmation can check it (the preview form names it ``import_file``'s storage, the
        confirmation form ``import_file_name``)."""
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", None) or {}
        upload = cleaned.get("import_file")
        preview_key = cleaned.get("import_file_name") or getattr(upload, "tmp_storage_name", None)
        if preview_key:
            resource_kwargs["preview_key"] = preview_key
        if cleaned.get("import_file_name"):  # the confirmation: name its batch for the link
            request._import_batch = new_batch_name(cleaned.get("original_file_name") or "")
            resource_kwargs["batch_name"] = request._import_batch
        return resource_kwargs

    def get_import_resource_classes(self, request):
        return [
            resource
            for resource in super().get_import_resource_classes(request)
            if can(request.user, resource.import_permission)
        ]

    def has_import_permission(self, request):
        return bool(self.get_import_resource_classes(request))

    # Confirmation: once, and never a success that did not happen ---------------------------

    def process_import(self, request, **kwargs):
        """Confirm a previewed import, by the person who previewed it.

        The pending upload and what its preview showed live in the shared cache
        (IMPORT_EXPORT_TMP_STORAGE_CLASS), so any instance can confirm it. The confirmation
        carries the upload page's one-time submission key (toolkit/submissions.py): a second
        confirmation, or the same upload sent again, is told what the first one did. A
        confirmation that does not match its preview is refused before anything is read.
        """
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return super().process_import(request, **kwargs)
        refusal = self._confirmation_refusal(request, request.POST.get("import_file_name", ""))
        if refusal:
            messages.error(request, refusal)
            return redirect(self._import_url())
        try:
            return super().process_import(request, **kwargs)
        except ImportFileError as error:  # the stored upload no longer reads as its format
            messages.error(request, f"Nothing was imported: {error}")
            return redirect(self._import_url())

    def _confirmation_refusal(self, request, tmp_name: str) -> str | None:
        """Why this confirmation cannot be processed, or None: it must name a stored upload
        and a preview this person made of it, with the resource and format that preview used."""
        preview = cache.get(preview_cache_key(tmp_name))
        if preview is None or cache.get(CacheStorage.CACHE_PREFIX + tmp_name) is None:
            return (
                "That upload is no longer available (it expires after a day, or was never "
                "made): upload the file again."
            )
        if preview.get("user") != request.user.pk:
            return "That preview was made by another member of staff: upload the file yourself."
        resources = self.get_import_resource_classes(request)
        resource = parse_int(request.POST.get("resource", "0") or "0", maximum=len(resources) - 1)
        formats = self.get_import_formats()
        chosen = parse_int(request.POST.get("format"), maximum=len(formats) - 1)
        if (
            resource is None
            or chosen is None
            or resources[resource].__name__ != preview.get("resource")
        ):
            return "That confirmation does not match its preview: upload the file again."
        return None

    def choose_import_resource_class(self, form, request):
        resource_class = super().choose_import_resource_class(form, request)
        request._import_model = resource_class._meta.model  # e.g. variants from the products
        return resource_class

    def process_result(self, result, request):
        model = getattr(request, "_import_model", self.model)
        problems = describe_errors(result)
        if problems:
            shown = " · ".join(problems[:10]) + (" …" if len(problems) > 10 else "")
            messages.error(
                request,
                f"Nothing was imported: the file no longer passes its checks. {shown} Upload "
                "it again to see a new preview.",
            )
            return redirect(self._import_url())
        totals = result.totals
        written = totals["new"] + totals["update"] + totals["delete"]
        summary = (
            f"{totals['new']} new, {totals['update']} updated, {totals['skip']} unchanged "
            f"{model._meta.verbose_name_plural}."
        )
        batch = getattr(request, "_import_batch", None) if written else None
        label = model._meta.label_lower
        if not written:
            messages.warning(request, f"Nothing was imported: every row already matched. {summary}")
            return redirect(self._changelist_url(None, label))
        submissions.applied(request)
        self.generate_log_entries(result, request)  # off by setting: the history audits imports
        url = self._changelist_url(batch, label)
        messages.success(
            request,
            format_html('Import finished: {} <a href="{}">See what it changed</a>.', summary, url),
        )
        post_import.send(sender=None, model=model)
        return redirect(url)

    def _import_url(self):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def _changelist_url(self, batch: str | None = None, model: str | None = None):
        opts = django_apps.get_model(model)._meta if model else self.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{url}?{ImportBatchFilter.parameter_name}={batch_id(batch)}" if batch else url

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file",
                f"The file could not be read ({type(e).__name__}). Check that it is a CSV "
                "(UTF-8) or an Excel .xlsx file and that the format chosen matches it.",
            )

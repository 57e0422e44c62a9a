"""The access policy every model admin of the back office applies, at every door it exposes.

Django's admin checks ``has_*_permission`` on its own views, but the views that libraries add
do not all go through the admin's ``get_queryset``: django-simple-history's history and
revert pages look objects up by primary key, and its revert saves the whole historical row,
fields the form never showed included. :class:`AccessPolicyAdmin` closes those doors:

- **Object scope**: an object that exists but that ``get_queryset`` leaves out for this
  person (support and staff accounts) is refused, with a reason, on the change, delete,
  history and revert pages alike.
- **Revert** needs the change permission (viewing history is not enough), writes only the
  fields the role's change form shows (so no revert restores ``is_staff`` through a form
  without that field), and only those that differ from the current row.
- **Bulk actions and list edits** posted to a changelist are refused unless the role is
  offered that action or may change the model; nothing is silently skipped.
- **History tables** link a "changed by" e-mail only for people who may open staff accounts.
- **One submission, one effect** (apps/toolkit/submissions/): change forms, lists and
  confirmations carry a one-time key; saves, deletions and actions say they applied, so a
  repeat of their key changes nothing; an add form pins its key in its address, so Back
  cannot add the same thing twice.
"""

import functools

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from apps.toolkit import submissions
from apps.toolkit.admin_helpers import AsciiNumbersMixin, CountedChangeList, rewind_uploads
from apps.toolkit.numbers import parse_id


class ScopedAdmin(AsciiNumbersMixin, admin.ModelAdmin):
    """The policy for every model admin; :class:`AccessPolicyAdmin` adds audited history."""

    #: Said when an object exists but is outside this person's scope.
    scope_refusal = "This record is outside what your role may see."
    #: A foreign key to an account, shown as its e-mail (no link, no lookup) to people who
    #: may not open accounts: a link they cannot follow would only lead to a refusal.
    account_field: str | None = None
    #: unfold's hook inside the change form: the form's one-time submission key.
    change_form_before_template = "toolkit/submission_key.html"

    def shows_account_as_text(self, request) -> bool:
        return bool(self.account_field) and not request.user.has_perm("users.view_user")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self.shows_account_as_text(request):
            fields = ["account_email" if f == self.account_field else f for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.shows_account_as_text(request):
            readonly = [f for f in readonly if f != self.account_field] + ["account_email"]
        return readonly

    @admin.display(description="Customer")
    def account_email(self, obj):
        account = getattr(obj, self.account_field)
        return account.email if account else "—"

    def out_of_scope(self, request, object_id) -> bool:
        """True when the object exists but this person's queryset leaves it out."""
        pk = unquote(str(object_id))
        try:
            if self.get_queryset(request).filter(pk=pk).exists():
                return False
            return self.model._default_manager.filter(pk=pk).exists()
        except (ValidationError, ValueError, TypeError):
            return False  # not an id at all: the view answers "not found"

    def selection_problem(self, request, object_ids) -> str | None:
        """What is wrong with the ids a bulk action was posted with, or None.

        Rows of other scopes are refused (PermissionDenied); ids that are not ids ("abc",
        "١") or rows that no longer exist are a message, and the action does nothing: the
        person reloads the list instead of acting on part of what they selected. Two
        queries, whatever the selection's size.
        """
        wanted = {parse_id(pk) for pk in object_ids}
        if None in wanted:
            return "The selection holds something that is not a row of this list: nothing was done."
        visible = set(self.get_queryset(request).filter(pk__in=wanted).values_list("pk", flat=True))
        hidden = wanted - visible
        if not hidden:
            return None
        if self.model._default_manager.filter(pk__in=hidden).exists():
            raise PermissionDenied(self.scope_refusal)
        return (
            f"{len(hidden)} of the selected rows no longer exist (deleted meanwhile?): nothing "
            "was done. Reload the list and select again."
        )

    def check_scope(self, request, object_id) -> None:
        if self.out_of_scope(request, object_id):
            raise PermissionDenied(self.scope_refusal)

    def get_object(self, request, object_id, from_field=None):
        # Every admin view that opens one object (change, delete, Django's history, custom
        # object actions) comes through here; the scope costs a query only on a miss.
        if from_field is None and not self.is_plain_id(object_id):
            return None  # "٣", "+5", "05": not how this object is named (int() reads them)
        obj = super().get_object(request, object_id, from_field)
        if obj is None and from_field is None:
            self.check_scope(request, object_id)
        return obj

    def is_plain_id(self, object_id) -> bool:
        """Whether a URL's object id is an integer key as the admin writes it (1 to
        PostgreSQL's largest integer, ASCII digits, no sign or leading zero)."""
        if not isinstance(self.opts.pk, models.IntegerField):
            return True
        text = unquote(str(object_id))
        number = parse_id(text)
        return number is not None and str(number) == text

    def object_id_or_404(self, object_id):
        """The object id of a URL, checked against the primary key's type: "not found" for
        "abc", "1.5", "٣", "+5" or an id past PostgreSQL's integer, never a 500."""
        if not self.is_plain_id(object_id):
            raise Http404
        try:
            self.opts.pk.run_validators(self.opts.pk.to_python(unquote(str(object_id))))
        except (ValidationError, ValueError, TypeError):
            raise Http404 from None
        return str(object_id)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            if request.method != "POST" or not _unique_violation(error):
                raise
        # Two saves of the same new value at once (a double click on Save, two colleagues):
        # the form found the slug or SKU free, then the other save took it, and the database
        # refused this one (the whole save rolled back). Checked again now, the form says so,
        # with everything typed still in it.
        rewind_uploads(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        # Back after adding, or a second tab of the same address, draws the add form with its
        # key again: sent twice, it adds once; opened after it was used, it says what it added.
        if request.method == "GET" and self.has_add_permission(request):
            answer = submissions.pin(request)
            if answer is not None:
                return answer
        return super().add_view(request, form_url, extra_context)

    # What Django's admin logs it has written, it has applied: the submission's key is kept
    # (and without a key nothing is written: the whole save is rolled back and refused).

    def log_addition(self, request, obj, message):
        submissions.applied(request)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        submissions.applied(request)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        submissions.applied(request)
        return super().log_deletions(request, queryset)

    def get_actions(self, request):
        # Every bulk action, the site's delete included: one that finishes (no page of its
        # own to show, such as a confirmation) has applied its submission.
        return {
            name: (_applying(func), name, description)
            for name, (func, _, description) in super().get_actions(request).items()
        }

    def get_changelist(self, request, **kwargs):
        return CountedChangeList

    def get_changelist_instance(self, request):
        # A filter value its field cannot hold ("garbage" for an IP address, "abc" for a
        # date) is Django's "invalid lookup" (the list again, with ?e=1), never a 500.
        try:
            return self.build_changelist(request)
        except (ValueError, TypeError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error

    def build_changelist(self, request):
        return super().get_changelist_instance(request)

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL cannot compare text with NUL characters; nobody types them.
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def history_view(self, request, object_id, extra_context=None):
        object_id = self.object_id_or_404(object_id)
        self.check_scope(request, object_id)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied("Your role may not read this history.")
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST":
            action = request.POST.get("action")
            if action and action not in self.get_actions(request):
                raise PermissionDenied("That action is not available to your role.")
            if "_save" in request.POST and not self.has_change_permission(request):
                raise PermissionDenied("Your role may read this list but not change it.")
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            problem = self.selection_problem(request, selected) if action and selected else None
            if problem:
                messages.error(request, problem)
                return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


class AccessPolicyAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """:class:`ScopedAdmin` for models audited by django-simple-history."""

    #: Fields whose change grants or removes access: superusers only, whatever the door.
    access_fields: frozenset[str] = frozenset()

    # History and revert ---------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        context = {"admin_user_view": self.history_user_view(request), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        # django-simple-history's hook for the history page's records (display only: nothing
        # here is saved). Its list prints a missing reason as "None", and a revert as a
        # plain "Changed": the reason our revert writes says what it was.
        super().set_history_delta_changes(request, historical_records, **kwargs)
        for record in historical_records:
            reason = record.history_change_reason or ""
            record.history_change_reason = reason
            if reason.startswith(REVERT_REASON):
                record.get_history_type_display = _reverted

    def history_user_view(self, request) -> str:
        # History users are staff; only people who may open staff accounts get a link.
        if request.user.is_superuser:
            return "admin:users_user_change"
        return "admin:no-link"  # does not reverse: the template prints the e-mail alone

    def may_revert(self, request, obj) -> bool:
        return self.has_change_permission(request, obj) and not self.revert_disabled(request, obj)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.has_change_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        version_id = _int_or_404(version_id)  # "abc", "²", 99999999999: not found, never a 500
        object_id = self.object_id_or_404(object_id)
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied("Your role may not read this history.")
        self.check_scope(request, object_id)
        if request.method == "POST":
            return self.revert(request, object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    @transaction.atomic  # the form's check of what the page showed holds the row until saved
    def revert(self, request, object_id, version_id):
        current = self.get_object(request, unquote(object_id))
        if current is None:
            raise Http404
        if not self.may_revert(request, current):
            raise PermissionDenied("Your role may read this history but not revert it.")
        record = get_object_or_404(
            self.model.history.model,
            **{self.opts.pk.attname: current.pk, "history_id": _int_or_404(version_id)},
        )
        form = self.get_form(request, current, change=True)(
            request.POST, request.FILES, instance=current
        )
        history_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[current.pk]
        )
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else None
                label = str(label or field.replace("_", " ")).capitalize()
                text = " ".join(errors)
                # A conflict message names its field already ("Base price went from …").
                prefix = "" if field == "__all__" or text.startswith(label) else f"{label}: "
                messages.error(request, f"Nothing was reverted. {prefix}{text}")
            return redirect(request.path)
        changed = set(form.changed_data)
        if changed & self.access_fields and not request.user.is_superuser:
            raise PermissionDenied("Only superusers may change who has access to the shop.")
        if not changed:
            messages.info(request, f"“{current}” already matches that version: nothing to do.")
            return redirect(history_url)
        obj = form.save(commit=False)
        obj._history_user = request.user
        when = timezone.localtime(record.history_date).strftime("%d %b %Y %H:%M")
        obj._change_reason = f"{REVERT_REASON} {when}"
        concrete = sorted(changed & {f.name for f in self.opts.concrete_fields})
        if concrete:
            obj.save(update_fields=concrete)
        if changed & {f.name for f in self.opts.many_to_many}:
            form.save_m2m()
        self.log_change(request, obj, [{"changed": {"fields": sorted(changed)}}])
        messages.success(request, f"“{obj}” reverted to the version of {when}.")
        return redirect(history_url)


REVERT_REASON = "Reverted to the version of"


def _applying(action):
    @functools.wraps(action)
    def run(model_admin, request, queryset):
        response = action(model_admin, request, queryset)
        if response is None or response.status_code in (301, 302, 303):
            submissions.applied(request)
        return response

    return run


def _unique_violation(error: IntegrityError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "23505"  # PostgreSQL unique_violation


def _reverted() -> str:
    return "Reverted"


def _int_or_404(value) -> int:
    number = parse_id(value)
    if number is None:
        raise Http404
    return number

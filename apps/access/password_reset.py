"""'Forgot your password?' for staff, through Django's own views and the e-mail backend.

Django's views and templates do the work (tokens, expiry, the e-mail); these subclasses only
render them in the admin's layout and send links to active staff accounts alone: customers
reset their passwords on the storefront, never through the back office.
"""

from django.contrib import admin
from django.contrib.auth import views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.urls import reverse_lazy


class StaffPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        return (user for user in super().get_users(email) if user.is_staff)


class AdminLayoutMixin:
    """The sign-in page's look (unfold's unauthenticated layout) and the site's names."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


class PasswordResetView(AdminLayoutMixin, views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "access/password_reset/form.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(AdminLayoutMixin, views.PasswordResetDoneView):
    template_name = "access/password_reset/done.html"


class PasswordResetConfirmView(AdminLayoutMixin, views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "access/password_reset/confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(AdminLayoutMixin, views.PasswordResetCompleteView):
    template_name = "access/password_reset/complete.html"

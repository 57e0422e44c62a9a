"""The admin site: unfold's, each of its views run as one submission.

Every page of the admin — the model admins', the libraries' (import, export, history, revert)
and the custom ones — reaches its view through ``AdminSite.admin_view``. Wrapping it here gives
every POST, today's and any added later, the same rule (apps/toolkit/submissions/): one
transaction, its one-time key recorded in it, a repeat answered with what the first did.
"""

from unfold.sites import UnfoldAdminSite

from apps.toolkit import submissions


class BackOfficeSite(UnfoldAdminSite):
    def admin_view(self, view, cacheable=False):
        # Inside Django's own wrapper: sign-in and CSRF are checked before a key is claimed.
        return super().admin_view(submissions.once(view), cacheable)

    def password_change(self, request, extra_context=None):
        # The site's own page writes the password itself: a saved change (its redirect to
        # "done") has applied its submission.
        response = super().password_change(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            submissions.applied(request)
        return response

"""A test client that sends forms as the admin's pages do.

Every page that draws a form which changes something gives it a one-time submission key, and
pins that key in its address when its form makes something new each time
(apps/toolkit/submissions/). Tests about other rules post data directly; like Django's test
client, which skips the CSRF check for them, this client does what a browser on those pages
would: it adds a fresh key to each POST that does not carry one, and follows the redirect
that pins a key. The keys themselves are tested with a plain client and with keys read from
the pages: tests/toolkit/test_submissions.py, the door matrix, the browser journeys.
"""

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from apps.toolkit.submissions import FIELD, issue


class KeyedClient(Client):
    def _signed_in_pk(self):
        return self.session.get("_auth_user_id") if self.session is not None else None

    def post(self, path, data=None, *args, **kwargs):
        user_pk = self._signed_in_pk()
        if user_pk is not None and isinstance(data, dict) and FIELD not in data:
            data = {**data, FIELD: issue(int(user_pk))}
        elif user_pk is not None and data is None:
            data = {FIELD: issue(int(user_pk))}
        return super().post(path, data, *args, **kwargs)

    def get(self, path, data=None, follow=False, **extra):
        response = super().get(path, data, follow=follow, **extra)
        if not follow and pins_a_key(path, response):
            response = super().get(response["Location"], **extra)
        return response


def pins_a_key(path, response) -> bool:
    """Whether ``response`` is the redirect that pins a key in ``path``'s own address."""
    if response.status_code != 302:
        return False
    target = urlsplit(response["Location"])
    return target.path == urlsplit(path).path and FIELD in parse_qs(target.query)

from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "apps.users"
    label = "users"
    verbose_name = "Customers and staff"

    def ready(self):
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        from apps.users.services import record_sign_in

        # Django saves the whole user on every sign-in, which wrote an empty history row
        # (last_login is not audited) each time; record_sign_in writes the one column.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_sign_in, dispatch_uid="users-record-sign-in")

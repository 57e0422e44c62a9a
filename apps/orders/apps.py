from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    # "Sales > Orders > Order #12" in breadcrumbs, not "Orders > Orders".
    verbose_name = "Sales"

from django.core.management.base import BaseCommand

from apps.users.roles import sync_roles


class Command(BaseCommand):
    help = "Create or update the staff groups (Merchandising, Warehouse, Support)."

    def handle(self, *args, **options):
        for group in sync_roles():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")

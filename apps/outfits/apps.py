from django.apps import AppConfig


class OutfitsConfig(AppConfig):
    name = "apps.outfits"
    label = "outfits"

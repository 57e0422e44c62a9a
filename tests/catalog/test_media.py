"""Media goes through Django's storage API: local files in development, Cloudinary in
production. Cloudinary's HTTP API is the boundary: it is replaced here, never reached."""

import io
from pathlib import PurePosixPath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.catalog.models import ProductImage
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def jpeg(size=(1200, 1600)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#b5838d").save(buffer, format="JPEG")
    return SimpleUploadedFile("Abaya Front.JPG", buffer.getvalue(), content_type="image/jpeg")


def test_an_upload_gets_a_thumbnail_on_the_local_filesystem(settings):
    image = ProductImage.objects.create(product=ProductFactory(), image=jpeg(), is_feature=True)
    assert image.thumbnail.name.startswith("products/thumbnails/")
    assert (settings.MEDIA_ROOT / image.thumbnail.name).exists()
    with Image.open(image.thumbnail.path) as thumb:
        assert thumb.size == (300, 400)
    assert image.thumbnail.url.startswith(settings.MEDIA_URL)


def test_a_thumbnail_is_made_only_for_a_new_upload():
    image = ProductImage.objects.create(product=ProductFactory(), image=jpeg(), is_feature=True)
    first = image.thumbnail.name
    image.position = 3
    image.save()
    assert image.thumbnail.name == first


def test_images_and_thumbnails_go_to_cloudinary_when_configured(settings, monkeypatch):
    # As in production: the credentials come from CLOUDINARY_URL.
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://123:not-a-secret@modestwear-test")
    import cloudinary

    monkeypatch.setattr(cloudinary, "_config", cloudinary.Config())
    uploads = []

    def fake_upload(file, **options):  # cloudinary.uploader.upload's signature and answer
        uploads.append({"folder": options.get("folder"), "bytes": file.read()})
        public_id = f"{options['folder']}/{PurePosixPath(file.name).stem}"
        return {"public_id": public_id, "resource_type": "image"}

    monkeypatch.setattr("cloudinary.uploader.upload", fake_upload)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "cloudinary_storage.storage.MediaCloudinaryStorage"},
    }

    image = ProductImage.objects.create(product=ProductFactory(), image=jpeg(), is_feature=True)

    by_folder = {upload["folder"]: upload["bytes"] for upload in uploads}
    assert sorted(by_folder) == ["media/products", "media/products/thumbnails"]
    with Image.open(io.BytesIO(by_folder["media/products/thumbnails"])) as thumb:
        assert thumb.size == (300, 400)
    url = image.thumbnail.url
    assert url.startswith("https://res.cloudinary.com/modestwear-test/image/upload/")
    assert url.endswith("media/products/thumbnails/Abaya_Front-thumb")

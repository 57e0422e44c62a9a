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


def png(size):
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, format="PNG")  # tiny on disk, huge once decoded
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


# Django's ImageField opens the upload with Pillow first, which warns at this size.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_over_the_pixel_limit_is_refused_with_the_limits_named(client_as, settings):
    from django.urls import reverse

    settings.IMAGE_MAX_PIXELS = 24_000_000
    product = ProductFactory()
    client = client_as("merchandising")
    upload = png((12000, 12000))
    assert upload.size < 1_000_000
    response = client.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {
            "name": product.name,
            "slug": product.slug,
            "category": product.category_id,
            "coverage_level": product.coverage_level_id,
            "base_price": "79.00",
            "description": product.description,
            "variants-TOTAL_FORMS": 0,
            "variants-INITIAL_FORMS": 0,
            "images-TOTAL_FORMS": 1,
            "images-INITIAL_FORMS": 0,
            "images-0-image": upload,
            "images-0-is_feature": "on",
            "images-0-position": 0,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "12000×12000 pixels (144 megapixels)" in html
    assert "Images may be up to 10 MB and 24 megapixels" in html
    assert not ProductImage.objects.exists()


def test_an_image_over_the_byte_limit_is_refused(settings):
    from django.core.exceptions import ValidationError

    from apps.catalog.media import validate_image_upload

    settings.IMAGE_MAX_BYTES = 1024
    with pytest.raises(ValidationError, match=r"This file is 0\.\d MB\. Images may be up to 0 MB"):
        validate_image_upload(jpeg((800, 800)))


MEASURE = """
import io, resource, sys
from PIL import Image
from apps.catalog.media import make_thumbnail
buffer = io.BytesIO()
Image.new("RGB", (6000, 4000), "#b5838d").save(buffer, format="JPEG")
data = buffer.getvalue()
del buffer
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
make_thumbnail(io.BytesIO(data), "photo.jpg")
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(after - before)
"""


def test_a_large_jpeg_thumbnail_decodes_at_a_reduced_scale():
    """A 24-megapixel photo is 72 MB as RGB; the thumbnail needs a few MB more, not that."""
    import subprocess
    import sys

    from django.conf import settings as django_settings

    grown_kb = subprocess.run(
        [sys.executable, "-c", MEASURE],
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert int(grown_kb) < 30 * 1024, f"the thumbnail grew the process by {grown_kb} KB"

"""Thumbnails, made with Pillow when an image is uploaded and stored through Django's storage
API, so they land on the local disk in development and on Cloudinary in production alike."""

import io
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

THUMBNAIL_SIZE = (320, 400)


def make_thumbnail(source, name: str) -> tuple[str, ContentFile]:
    """A JPEG thumbnail of the image file ``source``, and the file name to store it under."""
    source.seek(0)
    with Image.open(source) as picture:
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=82, optimize=True)
    source.seek(0)
    stem = PurePosixPath(name).stem
    return f"{stem}-thumb.jpg", ContentFile(buffer.getvalue())

"""Thumbnails, made with Pillow when an image is uploaded and stored through Django's storage
API, so they land on the local disk in development and on Cloudinary in production alike."""

import io
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps

THUMBNAIL_SIZE = (320, 400)


@deconstructible
class ImageUploadLimits:
    """Refuse an upload over ``IMAGE_MAX_BYTES`` or ``IMAGE_MAX_PIXELS`` (read from the file's
    header, never by decoding it): a 450 KB PNG of 12000×12000 pixels decodes to over 400 MB,
    more than a worker may use. The message names both limits."""

    def __call__(self, upload):
        max_bytes, max_pixels = settings.IMAGE_MAX_BYTES, settings.IMAGE_MAX_PIXELS
        limits = (
            f"Images may be up to {max_bytes / 1_048_576:.0f} MB and "
            f"{max_pixels / 1_000_000:.0f} megapixels"
        )
        size = getattr(upload, "size", 0) or 0
        if size > max_bytes:
            raise ValidationError(f"This file is {size / 1_048_576:.1f} MB. {limits}.")
        position = upload.tell() if hasattr(upload, "tell") else 0
        try:
            with Image.open(upload) as picture:
                width, height = picture.size
        except (OSError, ValueError, Image.DecompressionBombError):
            raise ValidationError(
                f"This file is not an image that can be read. {limits}."
            ) from None
        finally:
            if hasattr(upload, "seek"):
                upload.seek(position)
        if width * height > max_pixels:
            raise ValidationError(
                f"This image is {width}×{height} pixels ({width * height / 1_000_000:.0f} "
                f"megapixels). {limits}: make it smaller and upload it again."
            )

    def __eq__(self, other):
        return isinstance(other, ImageUploadLimits)


validate_image_upload = ImageUploadLimits()


def make_thumbnail(source, name: str) -> tuple[str, ContentFile]:
    """A JPEG thumbnail of the image file ``source``, and the file name to store it under."""
    source.seek(0)
    with Image.open(source) as picture:
        # JPEGs decode straight at a reduced scale: memory follows the thumbnail, not the
        # photo. Other formats are bounded by the upload's pixel limit.
        picture.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
        picture = ImageOps.exif_transpose(picture).convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=82, optimize=True)
    source.seek(0)
    stem = PurePosixPath(name).stem
    return f"{stem}-thumb.jpg", ContentFile(buffer.getvalue())

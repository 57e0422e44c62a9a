"""Images chosen on a product form that comes back with an error are kept for the next save."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from apps.catalog.models import Product
from apps.toolkit.kept_uploads import KEY_PREFIX
from tests.catalog.test_product_admin import jpeg, product_form
from tests.factories import CategoryFactory, CoverageLevelFactory

pytestmark = pytest.mark.django_db
ADD = reverse("admin:catalog_product_add")
KEPT = re.compile(r'name="images-0-image__kept" value="([^"]+)"')


@pytest.fixture
def form_with_an_error():
    data = product_form(
        CategoryFactory(),
        CoverageLevelFactory(),
        images=[{"image": jpeg("tiered-abaya.jpg"), "position": 0}],
        base_price="79,5O",  # a typo: the form comes back
    )
    return data


def resubmit(data, html, **changes):
    """The next submit as the browser sends it: the hidden fields, no file chosen again."""
    data = {**data, **changes}
    data.pop("images-0-image")
    for name, value in re.findall(
        r'<input type="hidden" name="(images-0-image__kept[a-z_]*)" value="([^"]*)"', html
    ):
        data[name] = value
    return data


def test_an_image_chosen_before_an_error_is_kept_and_saved_with_the_form(
    client_as, form_with_an_error
):
    client = client_as("merchandising")
    first = client.post(ADD, form_with_an_error)
    assert first.status_code == 200
    html = first.content.decode()
    assert "base_price" in first.context["adminform"].form.errors
    assert "Kept: <strong>tiered-abaya.jpg</strong>" in html
    assert KEPT.search(html)
    second = client.post(ADD, resubmit(form_with_an_error, html, base_price="79.50"))
    assert second.status_code == 302, second.context["adminform"].form.errors
    product = Product.objects.get(slug=form_with_an_error["slug"])
    image = product.images.get()
    assert image.is_feature and image.thumbnail  # the first image, made the feature image
    assert image.image.name.startswith("products/tiered-abaya")


def test_a_kept_image_is_kept_again_through_a_second_error(client_as, form_with_an_error):
    client = client_as("merchandising")
    html = client.post(ADD, form_with_an_error).content.decode()
    again = client.post(ADD, resubmit(form_with_an_error, html, name=""))  # another mistake
    assert again.status_code == 200
    assert "Kept: <strong>tiered-abaya.jpg</strong>" in again.content.decode()
    done = client.post(
        ADD, resubmit(form_with_an_error, again.content.decode(), base_price="79.50")
    )
    assert done.status_code == 302
    assert Product.objects.get(slug=form_with_an_error["slug"]).images.count() == 1


@pytest.mark.parametrize("token", ["expired", "../../etc/passwd", "x" * 40, "\u0663" * 40])
def test_a_kept_image_no_longer_held_is_asked_for_again_not_dropped(
    client_as, form_with_an_error, token
):
    client = client_as("merchandising")
    html = client.post(ADD, form_with_an_error).content.decode()
    if token == "expired":
        cache.delete(KEY_PREFIX + KEPT.search(html).group(1))
    else:
        html = KEPT.sub(f'name="images-0-image__kept" value="{token}"', html)
    response = client.post(ADD, resubmit(form_with_an_error, html, base_price="79.50"))
    assert response.status_code == 200
    assert "no longer held; choose the image again" in response.content.decode()
    assert not Product.objects.filter(slug=form_with_an_error["slug"]).exists()


def test_choosing_another_file_replaces_the_kept_one(client_as, form_with_an_error):
    client = client_as("merchandising")
    html = client.post(ADD, form_with_an_error).content.decode()
    data = resubmit(form_with_an_error, html, base_price="79.50")
    data["images-0-image"] = jpeg("second-choice.jpg")
    assert client.post(ADD, data).status_code == 302
    image = Product.objects.get(slug=form_with_an_error["slug"]).images.get()
    assert image.image.name.startswith("products/second-choice")


def test_with_the_cache_down_the_form_says_to_choose_the_image_again(
    client_as, form_with_an_error, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = client_as("merchandising").post(ADD, form_with_an_error)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“tiered-abaya.jpg” was chosen: choose it again." in html
    assert not KEPT.search(html)


def test_a_kept_image_serves_the_person_who_chose_it_once(client_as, form_with_an_error):
    from django.test import Client

    from tests.actors import staff

    html = client_as("merchandising").post(ADD, form_with_an_error).content.decode()
    colleague = Client()
    colleague.force_login(staff("Merchandising", "colleague@test.example"))
    theirs = colleague.post(ADD, resubmit(form_with_an_error, html, base_price="79.50"))
    assert "no longer held; choose the image again" in theirs.content.decode()
    assert not Product.objects.filter(slug=form_with_an_error["slug"]).exists()


def test_a_kept_image_is_not_reused_after_its_form_saved(
    client_as, form_with_an_error, django_capture_on_commit_callbacks
):
    client = client_as("merchandising")
    html = client.post(ADD, form_with_an_error).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        saved = client.post(ADD, resubmit(form_with_an_error, html, base_price="79.50"))
    assert saved.status_code == 302
    again = resubmit(form_with_an_error, html, base_price="79.50", slug="another-abaya")
    response = client.post(ADD, again)
    assert "no longer held; choose the image again" in response.content.decode()
    assert not Product.objects.filter(slug="another-abaya").exists()


def test_a_file_that_is_not_an_image_is_not_kept(client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = product_form(
        CategoryFactory(),
        CoverageLevelFactory(),
        images=[{"image": SimpleUploadedFile("evil.png", b"not an image"), "position": 0}],
        name="",
    )
    html = client_as("merchandising").post(ADD, data).content.decode()
    assert "Upload a valid image" in html
    assert "Kept:" not in html and not KEPT.search(html)


@pytest.mark.django_db(transaction=True)
def test_a_kept_image_survives_a_save_the_database_refused(client_as, form_with_an_error):
    """The form finds the slug free, a colleague takes it, the save is refused and checked
    again (apps/access/modeladmin.py): the kept image is still there for the next submit."""
    from tests.factories import ProductFactory
    from tests.race import meanwhile

    client = client_as("merchandising")
    html = client.post(ADD, form_with_an_error).content.decode()
    original, raced = Product.validate_unique, []

    def racing(self, exclude=None):
        if not raced:
            raced.append(True)
            meanwhile(lambda: ProductFactory(slug=form_with_an_error["slug"], name="Theirs"))
            return None
        return original(self, exclude)

    Product.validate_unique = racing
    try:
        response = client.post(ADD, resubmit(form_with_an_error, html, base_price="79.50"))
    finally:
        Product.validate_unique = original
    page = response.content.decode()
    assert "Product with this Slug already exists." in page
    assert "no longer held" not in page and "Kept: <strong>tiered-abaya.jpg</strong>" in page
    retry = resubmit(form_with_an_error, page, base_price="79.50", slug="tiered-abaya-2")
    assert client.post(ADD, retry).status_code == 302
    assert Product.objects.get(slug="tiered-abaya-2").images.count() == 1

import pytest


@pytest.mark.parametrize(
    "email",
    [
        "admin@modestwear.example",
        "merch@modestwear.example",
        "warehouse@modestwear.example",
        "support@modestwear.example",
    ],
)
def test_each_demo_account_signs_in_to_the_branded_admin(sign_in, email):
    page = sign_in(email)
    assert "/login/" not in page.url
    assert "ModestWear back office" in page.title()
    assert page.locator("text=Please enter the correct").count() == 0


def test_a_wrong_password_is_refused(page, live_demo, settings):
    page.goto(f"{live_demo.url}/{settings.ADMIN_URL_PATH}login/")
    page.fill("input[name=username]", "admin@modestwear.example")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "/login/" in page.url
    assert page.get_by_text("Please enter the correct").count() == 1

"""Refusals as a support agent meets them in Chromium: a staff account's history and its
revert form are refused on a page in the admin's layout that says why and leads back."""

from apps.users.models import User


def test_support_is_refused_a_staff_accounts_history_and_revert(
    sign_in, live_demo, settings, screenshot
):
    admin = f"{live_demo.url}/{settings.ADMIN_URL_PATH}"
    boss = User.objects.get(email="admin@modestwear.example")
    version = boss.history.order_by("history_id").first()
    page = sign_in("support@modestwear.example")

    for step, path in [
        ("history", f"users/user/{boss.pk}/history/"),
        ("revert", f"users/user/{boss.pk}/history/{version.history_id}/"),
    ]:
        response = page.goto(admin + path)
        assert response.status == 403
        reason = page.locator("#refusal-reason")
        assert reason.inner_text().startswith("Staff accounts are managed by superusers")
        assert "Support handles orders and customer accounts" in page.inner_text("#refusal-role")
        assert page.locator("#nav-sidebar, aside").count() >= 1  # the admin's own layout
        screenshot(f"refused-{step}")

    # A crafted revert POST from the agent's session is refused too, and changes nothing.
    result = page.evaluate(
        """async (url) => {
            const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken='));
            const body = new URLSearchParams({
                csrfmiddlewaretoken: token ? token.split('=')[1] : '',
                email: 'support-owns-you@example.com',
            });
            const response = await fetch(url, {method: 'POST', body, credentials: 'same-origin'});
            return response.status;
        }""",
        admin + f"users/user/{boss.pk}/history/{version.history_id}/",
    )
    assert result == 403
    boss.refresh_from_db()
    assert boss.email == "admin@modestwear.example" and boss.is_active

    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == admin.rstrip("/")

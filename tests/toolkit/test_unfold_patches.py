"""What the back office fixes in unfold, checked against the installed unfold: these fail when
an upgrade changes the code a fix relies on (then re-check the fix, or drop it)."""

from pathlib import Path

import pytest
import unfold
from django.contrib.staticfiles import finders
from django.urls import reverse

UNFOLD = Path(unfold.__file__).parent


def test_the_sidebar_search_still_has_the_enter_bug_our_script_fixes():
    # apps/toolkit/static/toolkit/sidebar-search.js replaces selectItem, which reads an
    # `items` list the component never sets.
    app = (UNFOLD / "static/unfold/js/app.js").read_text()
    component = app[app.index("function searchDropdown()") : app.index("function searchCommand()")]
    assert "this.items[this.currentIndex - 1]" in component
    assert "items:" not in component
    # The results it reads instead: links in #search-results, numbered from 1.
    results = (UNFOLD / "templates/unfold/helpers/search_results.html").read_text()
    assert "<a href=" in results and "currentIndex = {{ forloop.counter }}" in results


@pytest.mark.django_db
def test_every_admin_page_names_the_favicon_and_the_search_fix(client_as):
    html = client_as("support").get(reverse("admin:index")).content.decode()
    assert '<link rel="icon" href="/static/toolkit/favicon.svg" type="image/svg+xml"' in html
    assert '<script src="/static/toolkit/sidebar-search.js"></script>' in html
    assert '<script src="/static/toolkit/unsaved-changes.js"></script>' in html
    assert '<script src="/static/toolkit/prepopulate-on-input.js"></script>' in html
    assert (
        finders.find("toolkit/favicon.svg")
        and finders.find("toolkit/sidebar-search.js")
        and finders.find("toolkit/unsaved-changes.js")
    )

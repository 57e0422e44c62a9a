"""Forms read off a page as a browser sends them: for tests that act from the outside.

``forms(html)`` lists each ``<form method="post">`` of a page with the fields a browser would
send if it were submitted as drawn (text and hidden inputs, checked boxes, chosen options,
textareas; no file inputs and no buttons: the caller adds the button pressed).
"""

from html.parser import HTMLParser

from apps.toolkit.submissions import FIELD

SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}
LOGOUT = "logout-form"  # on every page, in the header


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self._outside: list[tuple[str, str, str]] = []  # (form id, name, value) via form=""

    def _fields(self, attrs):
        owner = attrs.get("form")
        if owner:
            return owner
        return self._form

    def _add(self, attrs, name, value):
        owner = self._fields(attrs)
        if isinstance(owner, str):
            self._outside.append((owner, name, value))
        elif owner is not None:
            owner["fields"].append((name, value))

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self._form = {"attrs": attrs, "fields": []}
            self.forms.append(self._form)
        elif tag == "input":
            kind = attrs.get("type", "text").lower()
            name = attrs.get("name")
            if not name or kind in SKIPPED_INPUTS or "disabled" in attrs:
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(attrs, name, attrs.get("value", "on"))
                return
            self._add(attrs, name, attrs.get("value", ""))
        elif tag == "select" and attrs.get("name") and "disabled" not in attrs:
            self._select = {"attrs": attrs, "options": [], "chosen": []}
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "text": "",
                "selected": "selected" in attrs,
            }
            self._select["options"].append(self._option)
        elif tag == "textarea" and attrs.get("name") and "disabled" not in attrs:
            self._textarea = {"attrs": attrs, "text": ""}

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            select, self._select = self._select, None
            options = select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and "multiple" not in select["attrs"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._add(select["attrs"], select["attrs"]["name"], value)
        elif tag == "textarea" and self._textarea is not None:
            area, self._textarea = self._textarea, None
            self._add(area["attrs"], area["attrs"]["name"], area["text"].removeprefix("\n"))

    def close(self):
        super().close()
        by_id = {form["attrs"].get("id"): form for form in self.forms if form["attrs"].get("id")}
        for owner, name, value in self._outside:
            if owner in by_id:
                by_id[owner]["fields"].append((name, value))


def forms(html: str | bytes) -> list[dict]:
    """Each form of the page: {"attrs": {...}, "fields": [(name, value), ...]}."""
    reader = _Reader()
    reader.feed(html.decode() if isinstance(html, bytes) else html)
    reader.close()
    return reader.forms


def post_form(html, *, containing: str | None = None) -> dict:
    """The one posting form of the page (or the one with a field named ``containing``), as
    data for the test client: a name's values in a list when there are several."""
    posting = [
        f
        for f in forms(html)
        if f["attrs"].get("method", "get").lower() == "post" and f["attrs"].get("id") != LOGOUT
    ]
    if containing is not None:
        posting = [f for f in posting if any(name == containing for name, _ in f["fields"])]
    assert len(posting) == 1, f"{len(posting)} posting forms: {[f['attrs'] for f in posting]}"
    data: dict = {}
    for name, value in posting[0]["fields"]:
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    return data


def keys_in(html) -> list[str]:
    """The submission keys a page's forms carry."""
    return [value for form in forms(html) for name, value in form["fields"] if name == FIELD]


def form_of(client, url, *, containing: str | None = None) -> tuple[str, dict]:
    """Open ``url`` as a browser does (following the redirect that pins a page's key) and read
    its posting form: (the page's address, the data it sends as drawn)."""
    response = client.get(url, follow=True)
    assert response.status_code == 200, f"GET {url}: {response.status_code}"
    address = response.redirect_chain[-1][0] if response.redirect_chain else url
    return address, post_form(response.content, containing=containing)

"""A confirmation's Seen (apps/toolkit/confirmations.py): what a page showed, read back from
whatever a browser — or someone crafting a post — sends."""

from datetime import timedelta

import pytest

from apps.toolkit.confirmations import Seen, StateChanged, digest


def test_the_state_a_page_showed_comes_back_as_it_was_sent():
    seen = Seen.now(digest([(1, "pending"), (2, "paid")]))
    back = Seen.decode(seen.encode())
    assert back == seen
    assert digest([(2, "paid"), (1, "pending")]) == seen.digest  # whatever the rows' order
    assert digest([(2, "shipped"), (1, "pending")]) != seen.digest


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "abc",
        "\x00",
        "0" * 32,
        "0" * 32 + ".",
        "0" * 32 + ".-5",
        "0" * 32 + ".0",
        "0" * 32 + ".١٢٣",  # digits, but not ASCII ones
        "0" * 32 + "." + "9" * 14,  # past the year 2286
        "G" * 32 + ".1700000000000",
        "0" * 31 + ".1700000000000",
    ],
)
def test_anything_a_page_does_not_write_is_no_state_at_all(text):
    assert Seen.decode(text) is None


def test_a_changed_state_is_refused_naming_what_changed_since_the_page_was_drawn():
    seen = Seen.now(digest([(1, "pending")]))
    asked = []

    def changes(since):
        asked.append(since)
        return "order #1 was marked paid by support@… at 14:02."

    seen.check(digest([(1, "pending")]), changes)  # unchanged: nothing to say
    assert asked == []
    with pytest.raises(StateChanged) as refusal:
        seen.check(digest([(1, "paid")]), changes)
    assert asked == [seen.drawn_at]
    assert str(refusal.value).startswith(
        "Nothing was done: while this page was open, order #1 was marked paid by support@…"
    )
    with pytest.raises(StateChanged, match="what it showed has changed since it was drawn"):
        seen.check(digest([(1, "paid")]), lambda since: "")


def test_the_time_a_page_was_drawn_is_kept_to_the_millisecond():
    seen = Seen.now("0" * 32)
    back = Seen.decode(seen.encode())
    assert abs(back.drawn_at - seen.drawn_at) < timedelta(milliseconds=1)

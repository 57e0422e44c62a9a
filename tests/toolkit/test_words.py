import pytest

from apps.toolkit.words import counted


@pytest.mark.parametrize(
    ("number", "expected"),
    [(0, "0 categories"), (1, "1 category"), (2, "2 categories"), (21, "21 categories")],
)
def test_a_count_agrees_with_its_noun(number, expected):
    assert counted(number, "category", "categories") == expected


def test_the_plural_is_the_singular_with_an_s_unless_given():
    assert (counted(1, "order"), counted(3, "order")) == ("1 order", "3 orders")

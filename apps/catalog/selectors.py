"""Reads with a shape: catalog queries shared by the admin, the feed and the benchmarks."""

import unicodedata

from django.contrib.postgres.search import SearchQuery
from django.db.models import QuerySet

from apps.catalog.models import SEARCH_CONFIG, product_search_vector

# Longer search strings add nothing a customer or a merchandiser means, and cost planning time.
SEARCH_MAX_LENGTH = 200


def product_search(queryset: QuerySet, text: str) -> QuerySet:
    """Products whose name or description match ``text`` (stemmed, every word required).

    The filter repeats the GIN index's expression exactly, so PostgreSQL answers it from
    ``product_fulltext_idx`` instead of scanning the table.
    """
    # PostgreSQL text cannot hold NUL; other control and format characters mean nothing here.
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    text = " ".join(text.split())[:SEARCH_MAX_LENGTH]
    if not text:
        return queryset
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="plain")
    return queryset.annotate(search=product_search_vector()).filter(search=query)

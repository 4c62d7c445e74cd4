"""The catalogue's list reads a fixed number of queries, however many datasets and files it
shows: the page of datasets with their distributions prefetched, the count, the filters'
options."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def datasets(authority, count: int, start: int) -> None:
    for number in range(start, start + count):
        dataset = DatasetFactory(authority=authority, title=f"Messreihe {number}",
                                 keywords=["Wasser"])  # fmt: skip
        DistributionFactory(dataset=dataset, format="CSV")
        DistributionFactory(dataset=dataset, format="JSON")


def test_the_list_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    town = AuthorityFactory(slug="barleben")
    datasets(town, 2, 0)
    client = Client()
    search = {"q": "messreihe", "schlagwort": "Wasser", "format": "CSV"}
    client.get("/daten/katalog/", search)
    with django_assert_max_num_queries(8) as few:
        client.get("/daten/katalog/", search)
    datasets(town, 15, 2)

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/daten/katalog/", search).content.decode()
    assert "17 Datensätze" in html
    assert html.count('<li class="catalogue-item">') == 17

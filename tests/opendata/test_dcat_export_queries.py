"""A page of the RDF catalogue costs a fixed number of queries, however many datasets it holds."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import DCAT

from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben", ags="15083040")


def parse(response) -> Graph:
    return Graph().parse(data=response.content, format="turtle")


def test_a_page_costs_the_same_queries_however_many_datasets_it_holds(
    client, town, settings, django_assert_max_num_queries
):
    settings.RATHAUS_DCAT_PAGE_SIZE = 50
    for dataset in DatasetFactory.create_batch(3, authority=town):
        DistributionFactory.create_batch(2, dataset=dataset)
    client.get("/daten/katalog/catalog.ttl")  # warm the caches of the request cycle
    with django_assert_max_num_queries(8) as few:
        client.get("/daten/katalog/catalog.ttl")
    for dataset in DatasetFactory.create_batch(20, authority=town):
        DistributionFactory.create_batch(2, dataset=dataset)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/daten/katalog/catalog.ttl")

    assert len(list(parse(response).objects(None, DCAT.dataset))) == 23

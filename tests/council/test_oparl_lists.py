"""OParl object lists: stable paging with complete links, the four date filters, bad values,
unknown ids and bodies."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client

from tests.factories import AuthorityFactory
from tests.factories.council import (
    BodyFactory,
    PaperFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def body():
    return BodyFactory(authority=AuthorityFactory(slug="barleben", name="Gemeinde Barleben"))


def papers(client: Client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_walking_the_pages_gives_every_paper_once_in_a_stable_order(body):
    made = [PaperFactory(body=body).pk for _ in range(7)]
    PaperFactory()  # another authority's council
    client = Client()
    url = f"/oparl/v1/body/{body.pk}/paper/?elementsPerPage=3"
    first = papers(client, url)
    assert first["pagination"] == {
        "totalElements": 7, "elementsPerPage": 3, "currentPage": 1, "totalPages": 3,
    }  # fmt: skip
    assert "prev" not in first["links"]
    seen, pages, page = [], [], first
    while True:
        pages.append(page)
        seen += [int(item["id"].rsplit("/", 1)[1]) for item in page["data"]]
        if "next" not in page["links"]:
            break
        page = papers(client, page["links"]["next"])
    assert seen == sorted(made)
    assert [p["pagination"]["currentPage"] for p in pages] == [1, 2, 3]
    assert [len(p["data"]) for p in pages] == [3, 3, 1]
    # first, prev and last lead to the same pages, the page size kept in every link
    for p in pages:
        for name in ("first", "last", "self"):
            assert parse_qs(urlsplit(p["links"][name]).query)["elementsPerPage"] == ["3"]
    assert papers(client, pages[2]["links"]["first"])["data"] == pages[0]["data"]
    assert papers(client, pages[0]["links"]["last"])["data"] == pages[2]["data"]
    assert papers(client, pages[2]["links"]["prev"])["data"] == pages[1]["data"]
    assert papers(client, pages[1]["links"]["self"])["data"] == pages[1]["data"]
    # asking the same page again gives the same objects
    assert papers(client, url)["data"] == first["data"]


def test_a_client_cannot_ask_for_larger_pages_than_configured(body, settings):
    settings.RATHAUS_OPARL_PAGE_SIZE = 2
    for _ in range(3):
        PersonFactory(body=body)
    page = papers(Client(), f"/oparl/v1/body/{body.pk}/person/?limit=500")
    assert page["pagination"]["elementsPerPage"] == 2
    assert len(page["data"]) == 2


def test_the_date_filters_select_and_are_kept_in_the_links(body):
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), tick=False):
        january = [PaperFactory(body=body) for _ in range(3)]
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        march = PaperFactory(body=body)
    client = Client()
    base = f"/oparl/v1/body/{body.pk}/paper/"

    def ids(query: str) -> list[int]:
        return [int(i["id"].rsplit("/", 1)[1]) for i in papers(client, base + query)["data"]]

    assert ids("?created_since=2026-02-01T00:00:00%2B01:00") == [march.pk]
    assert ids("?created_until=2026-02-01T00:00:00%2B01:00") == [p.pk for p in january]
    assert ids("?modified_since=2026-03-10T13:00:00%2B01:00") == [march.pk]
    assert ids("?modified_until=2026-03-10T11:59:59Z") == [p.pk for p in january]
    # an unencoded "+" arrives as a space and is still read as the offset
    assert ids("?created_since=2026-02-01T00:00:00+01:00") == [march.pk]
    page = papers(client, base + "?created_until=2026-02-01T00:00:00Z&elementsPerPage=2")
    nxt = parse_qs(urlsplit(page["links"]["next"]).query)
    assert nxt["created_until"] == ["2026-02-01T00:00:00Z"]
    assert [int(i["id"].rsplit("/", 1)[1]) for i in papers(client, page["links"]["next"])[
        "data"]] == [january[2].pk]  # fmt: skip


def test_a_changed_object_appears_in_modified_since(body):
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        paper = PaperFactory(body=body, name="Alt")
        PaperFactory(body=body)
    client = Client()
    since = "2026-05-02T00:00:00%2B02:00"
    url = f"/oparl/v1/body/{body.pk}/paper/?modified_since={since}"
    assert papers(client, url)["data"] == []
    with time_machine.travel(dt.datetime(2026, 5, 3, 9, tzinfo=dt.UTC), tick=False):
        paper.name = "Neu"
        paper.save()
    changed = papers(client, url)["data"]
    assert [item["name"] for item in changed] == ["Neu"]
    assert changed[0]["modified"] == "2026-05-03T11:00:00+02:00"
    # a deletion is a change too: the object stays, marked as deleted
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, tzinfo=dt.UTC), tick=False):
        paper.deleted = True
        paper.save()
    (item,) = papers(client, url)["data"]
    assert item["deleted"] is True
    assert "name" not in item


@pytest.mark.parametrize(
    "query",
    [
        "modified_since=yesterday",
        "created_until=2026-13-01T00:00:00Z",
        "created_since=",
        "page=0",
        "page=zwei",
        "elementsPerPage=-5",
        # beyond what the database can count or compare (security review: these gave 500)
        "page=99999999999999999999",
        "page=9223372036854775807",
        "page=1000001",
        "after=9223372036854775808",
        "modified_since=0001-01-01T00:00:00%2B05:00",
        "modified_until=9999-12-31T23:59:59-05:00",
        "created_since=0001-01-01T00:00:00",
    ],
)
def test_bad_parameters_are_answered_with_400_and_a_reason(body, query):
    PaperFactory(body=body)
    response = Client().get(f"/oparl/v1/body/{body.pk}/paper/?{query}")
    if query == "created_since=":
        assert response.status_code == 200  # empty means no filter
        return
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 400
    assert problem["invalid_params"][0]["name"] == query.split("=")[0]


def test_unknown_ids_lists_and_bodies_are_404(body):
    other = BodyFactory()
    theirs = PaperFactory(body=other)
    client = Client()
    for path in (
        f"/oparl/v1/body/{other.pk}", f"/oparl/v1/body/{other.pk}/paper/",
        f"/oparl/v1/body/{body.pk}/papers/", f"/oparl/v1/paper/{theirs.pk}",
        "/oparl/v1/paper/99999", "/oparl/v1/body/99999", "/oparl/v1/sitzung/1",
    ):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["status"] == 404


def test_answers_are_json_for_everyone_without_cookies(body):
    response = Client().get("/oparl/v1/", HTTP_ORIGIN="https://app.example.org")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies
    assert Client().post("/oparl/v1/").status_code == 405


def test_the_body_lists_its_terms_and_every_list(body):
    data = Client().get(f"/oparl/v1/body/{body.pk}").json()
    for key, segment in (("paper", "paper"), ("agendaItem", "agendaitem"),
                         ("locationList", "location"), ("membership", "membership"),
                         ("legislativeTermList", "legislativeterm")):  # fmt: skip
        assert data[key] == f"http://testserver/oparl/v1/body/{body.pk}/{segment}/"
    assert data["legislativeTerm"] == []
    assert data["system"] == "http://testserver/oparl/v1/"


def test_the_largest_page_and_after_still_answer(body):
    PaperFactory(body=body)
    client = Client()
    page = papers(client, f"/oparl/v1/body/{body.pk}/paper/?page=1000000")
    assert page["data"] == []
    after = papers(client, f"/oparl/v1/body/{body.pk}/paper/?after=9223372036854775807")
    assert after["data"] == []
    huge = papers(client, f"/oparl/v1/body/{body.pk}/paper/?elementsPerPage=99999999999999999999")
    assert len(huge["data"]) == 1  # a client may ask for any size; it gets at most the largest

"""A notice cannot be backdated: scheduling refuses a start more than a few minutes in the past
(the form says so at once), since the notice would claim a display period it never had. When the
worker puts a notice up after its start (it was late), the public reads the real start: the
list, the notice's page, the archive, the feed and the e-mail say when it went up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import OutgoingEmail
from rathaus.noticeboard import publication
from rathaus.noticeboard.keepers import ROLE
from rathaus.noticeboard.models import Category, Notice
from tests.factories import PASSWORD, AuthorityFactory, UserFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.noticeboard import NoticeFactory, SubscriptionFactory
from tests.support import clerk_of, log_in, run_queued

pytestmark = pytest.mark.django_db

BERLIN = dt.timezone(dt.timedelta(hours=1))  # March: CET
START = dt.datetime(2027, 3, 1, 0, 0, tzinfo=BERLIN)
END = dt.datetime(2027, 3, 15, 0, 0, tzinfo=BERLIN)
REFUSAL = "Der Aushang kann nicht rückwirkend beginnen."
LIST = "/verwaltung/bekanntmachungen/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def draft(town, **values) -> Notice:
    defaults = {"display_from": START, "display_until": END, "status": Notice.Status.DRAFT,
                "put_up_at": None}  # fmt: skip
    return NoticeFactory(authority=town, **{**defaults, **values})


def keeper(town) -> Client:
    user = clerk_of(OrgUnitFactory(authority=town, name="Hauptamt"), "hauptamt", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), "hauptamt", PASSWORD)


def test_scheduling_refuses_a_start_twelve_days_ago_and_nothing_goes_up(town):
    notice = draft(town)
    with (
        time_machine.travel(START + dt.timedelta(days=12), tick=False),
        pytest.raises(publication.PublicationRefused) as refused,
    ):
        publication.schedule(notice, UserFactory())
    assert any(REFUSAL in reason for reason in refused.value.reasons), refused.value.reasons
    notice.refresh_from_db()
    assert (notice.status, notice.put_up_at) == (Notice.Status.DRAFT, None)
    assert not notice.display_records.exists()


def test_a_start_a_few_minutes_ago_is_now_and_goes_up_at_once(town):
    notice = draft(town)
    now = START + dt.timedelta(minutes=4)
    with time_machine.travel(now, tick=False):
        assert publication.problems(notice) == []
        scheduled = publication.schedule(notice, UserFactory(username="amt"))
    assert (scheduled.status, scheduled.put_up_at) == (Notice.Status.ON_DISPLAY, now)
    with time_machine.travel(START + dt.timedelta(minutes=6), tick=False):
        assert any(REFUSAL in problem for problem in publication.problems(draft(town)))


def test_the_form_refuses_a_past_start_and_keeps_what_was_typed(town):
    data = {
        "title": "Satzung über die Straßenreinigung", "category": "statutes",
        "summary": "Neue Regeln für den Winterdienst.", "text": "§ 1 Geltungsbereich …",
        "display_from": "2027-02-15T00:00", "display_until": "2027-03-15T00:00",
        "signed_place": "Barleben", "signed_on": "2027-02-10", "signed_by": "Der Bürgermeister",
    }  # fmt: skip
    with time_machine.travel(START, tick=False):
        client = keeper(town)
        refused = client.post(f"{LIST}neu/", data)
        assert refused.status_code == 422
        page = refused.content.decode()
        assert REFUSAL in page
        assert "Wählen Sie als Beginn jetzt oder einen späteren Zeitpunkt." in page
        assert "Neue Regeln für den Winterdienst." in page
        assert not Notice.objects.exists()

        # a draft whose start has passed meanwhile: its page says so, scheduling refuses
        old = draft(town, display_from=START - dt.timedelta(days=3))
        assert REFUSAL in client.get(f"{LIST}{old.pk}/").content.decode()
        response = client.post(f"{LIST}{old.pk}/planen/", follow=True)
        assert "kann nicht eingeplant werden" in response.content.decode()
        assert REFUSAL in response.content.decode()
        old.refresh_from_db()
        assert old.status == Notice.Status.DRAFT

        # moving the start to now lets it go up at once
        moved = client.post(f"{LIST}{old.pk}/", {**data, "display_from": "2027-03-01T00:00"})
        assert moved.status_code == 302
        client.post(f"{LIST}{old.pk}/planen/")
    old.refresh_from_db()
    assert (old.status, old.display_from) == (Notice.Status.ON_DISPLAY, START)


def test_a_notice_put_up_late_states_when_it_really_went_up(
    town, django_capture_on_commit_callbacks
):
    notice = draft(town, title="Offenlage Bebauungsplan Nr. 12", category=Category.PLANNING,
                   summary="Der Entwurf liegt aus.")  # fmt: skip
    SubscriptionFactory(authority=town, email="anna@example.org", category=Category.PLANNING)
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        publication.schedule(notice, UserFactory())
    late = START + dt.timedelta(hours=3, minutes=20)  # the worker was down all night
    real = "01.03.2027, 03:20 Uhr"
    prescribed = "01.03.2027, 00:00 Uhr"
    with time_machine.travel(late, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert publication.run().put_up == [notice.pk]
        run_queued("rathaus.noticeboard.subscription_tasks.mail_notice")
    with time_machine.travel(late + dt.timedelta(days=1), tick=False):
        listed = Client().get("/bekanntmachungen/").content.decode()
        shown = Client().get(f"/bekanntmachungen/{notice.uid}/").content.decode()
        feed = Client().get("/bekanntmachungen/feed.atom").content.decode()
    mail = OutgoingEmail.objects.get(to="anna@example.org").text_body
    assert f"Ausgehängt seit {real}, bis 14.03.2027, 24:00 Uhr" in listed
    assert f"Ausgehängt vom {real} bis 14.03.2027, 24:00 Uhr" in shown
    assert f"ausgehängt vom {real}" in feed
    assert f"Ausgehängt vom {real}" in mail
    for text in (listed, shown, feed, mail):
        assert prescribed not in text

    with time_machine.travel(END, tick=False):
        publication.run()
        archive = Client().get("/bekanntmachungen/archiv/").content.decode()
    assert f"Ausgehängt vom {real} bis 14.03.2027, 24:00 Uhr" in archive
    assert prescribed not in archive


def test_a_notice_put_up_on_time_states_its_prescribed_start(town):
    notice = draft(town, status=Notice.Status.SCHEDULED)
    with time_machine.travel(START, tick=False):
        publication.run()
        shown = Client().get(f"/bekanntmachungen/{notice.uid}/").content.decode()
    assert "Ausgehängt vom 01.03.2027, 00:00 Uhr bis 14.03.2027, 24:00 Uhr" in shown

"""Passwords made mostly of the town's or the portal's words are refused (ASVS 5.0 V6.2.11)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import AuthorityFactory
from tests.support import REGISTRATION, human_check

REFUSED = "besteht vor allem aus Wörtern wie dem Namen des Ortes oder dieses Portals"


@pytest.mark.parametrize(
    "password",
    ["Wolmirstedt-2026!", "wolmirstedt rathaus", "RATHAUS-Verwaltung-1", "Bürgerbüro Wolmirstedt"],
)
def test_the_towns_and_the_portals_words_do_not_count_towards_the_length(db, password):
    AuthorityFactory(name="Stadt Wolmirstedt", slug="wolmirstedt")
    with pytest.raises(ValidationError) as refused:
        validate_password(password)
    assert [error.code for error in refused.value.error_list] == ["password_context_words"]


@pytest.mark.parametrize(
    "password", ["ein langer satz über wolmirstedt", "Wolmirstedt hat einen schönen Hafen"]
)
def test_a_long_sentence_may_name_the_town(db, password):
    AuthorityFactory(name="Stadt Wolmirstedt", slug="wolmirstedt")
    validate_password(password)


def test_the_registration_says_why_at_the_field(client, barleben):
    password = "Barleben-Demo-2026"
    response = client.post(
        "/konto/registrieren/",
        {**REGISTRATION, **human_check(), "password1": password, "password2": password},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html
    assert 'id="id_password1_error"' in html
    assert not get_user_model().objects.filter(username="kim.beispiel@example.org").exists()


def test_a_password_of_a_hundred_characters_is_taken_as_typed(client, barleben):
    """No upper limit below 64 characters (V6.2.9), nothing stripped or cut (V6.2.8)."""
    password = " ein sehr langer satz, " * 4 + "x" * 8
    assert len(password) == 100
    response = client.post(
        "/konto/registrieren/",
        {**REGISTRATION, **human_check(), "password1": password, "password2": password},
    )
    assert response["Location"] == "/konto/registriert/"
    user = get_user_model().objects.get(username="kim.beispiel@example.org")
    assert user.check_password(password)
    assert not user.check_password(password.strip())
    assert not user.check_password(password[:72])

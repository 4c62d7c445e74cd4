"""The plugin registry: ids are unique, lookups explain themselves, configuration is checked."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

import pytest
from django import forms
from django.apps import apps
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy

from rathaus.accounts import providers
from rathaus.accounts.providers.local import LocalPasswordProvider
from rathaus.cases import process_tasks
from rathaus.conf import VIRUS_SCANNERS
from rathaus.core import demo as core_demo
from rathaus.core import scanning
from rathaus.core.plugins import Registry, UnknownPlugin
from rathaus.processes import handlers

Greeter = Callable[[], str]


def hello() -> str:
    return "hello"


def other_hello() -> str:
    return "other"


class Polite:
    verbose_name = gettext_lazy("Password")

    def __call__(self) -> str:
        return "good day"


# --- the registry -------------------------------------------------------------------------------


def test_a_second_plugin_under_one_id_is_refused_naming_both():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        registry.register("hello", other_hello)
    message = str(excinfo.value)
    assert "greeter 'hello' is registered twice" in message
    assert "tests.core.test_plugins.hello" in message
    assert "tests.core.test_plugins.other_hello" in message
    assert registry.get("hello") is hello


def test_the_same_plugin_registered_again_is_accepted():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello)
    registry.register("hello", hello)
    registry.register("polite", Polite())
    registry.register("polite", Polite())  # a new instance of the same class: ready() again
    assert registry.ids() == ("hello", "polite")


def test_a_reimported_module_registers_without_error(tmp_path, monkeypatch):
    """A module that registers when imported may be imported again (reload, a second name)."""
    registry: Registry[Greeter] = Registry("greeter")
    monkeypatch.setattr(sys.modules[__name__], "RELOAD_REGISTRY", registry, raising=False)
    (tmp_path / "greeting_plugin.py").write_text(
        "from tests.core.test_plugins import RELOAD_REGISTRY\n\n\n"
        '@RELOAD_REGISTRY.register("wave")\n'
        "def wave():\n"
        '    return "wave"\n',
        encoding="utf-8",
    )
    (tmp_path / "greeting_rival.py").write_text(
        "from tests.core.test_plugins import RELOAD_REGISTRY\n\n\n"
        '@RELOAD_REGISTRY.register("wave")\n'
        "def wave():\n"
        '    return "rival"\n',
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        module = importlib.import_module("greeting_plugin")
        first = registry.get("wave")
        importlib.reload(module)
        assert registry.get("wave") is module.wave
        assert registry.get("wave") is not first
        assert registry.ids() == ("wave",)
        with pytest.raises(
            ImproperlyConfigured, match=r"greeting_plugin\.wave.*greeting_rival\.wave"
        ):
            importlib.import_module("greeting_rival")
    finally:
        sys.modules.pop("greeting_plugin", None)
        sys.modules.pop("greeting_rival", None)


def test_register_is_a_decorator_for_functions_and_classes():
    registry: Registry[Callable[[], object]] = Registry("greeter")

    @registry.register("wave", label="Wave")
    def wave() -> str:
        return "wave"

    @registry.register("bow")
    class Bow:
        pass

    assert wave() == "wave"  # the decorator gives the function back unchanged
    assert registry.get("wave") is wave
    assert registry.get("bow") is Bow
    assert list(registry) == ["wave", "bow"]
    assert dict(registry.items()) == {"wave": wave, "bow": Bow}
    assert "bow" in registry
    assert "curtsy" not in registry
    assert len(registry) == 2


def test_an_unknown_id_names_the_registered_ones():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello)
    registry.register("polite", Polite())
    with pytest.raises(UnknownPlugin) as excinfo:
        registry.get("wave")
    assert str(excinfo.value) == "There is no greeter 'wave'; registered are: hello, polite."
    with pytest.raises(UnknownPlugin, match="registered are: \\(none\\)"):
        Registry[Greeter]("empty").get("hello")


@pytest.mark.parametrize("bad", ["", " hello", "hello "])
def test_an_id_must_not_be_empty_or_padded(bad):
    with pytest.raises(ImproperlyConfigured, match="greeter id"):
        Registry[Greeter]("greeter").register(bad, hello)


def test_choices_use_the_label_then_verbose_name_then_the_id():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello, label=gettext_lazy("Password again"))
    registry.register("polite", Polite())
    registry.register("plain", other_hello)
    with translation.override("de"):
        shown = [(id, str(label)) for id, label in registry.choices()]
    assert shown == [("hello", "Passwort wiederholen"), ("polite", "Passwort"), ("plain", "plain")]
    with translation.override("de"):
        assert str(registry.label("polite")) == "Passwort"


def test_choices_serve_a_form_field_including_later_plugins():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello, label="Hello")
    field = forms.ChoiceField(choices=registry.choices)
    registry.register("polite", Polite())
    assert field.clean("polite") == "polite"
    with pytest.raises(ValidationError):
        field.clean("wave")


def test_override_swaps_a_plugin_for_the_block_only():
    registry: Registry[Greeter] = Registry("greeter")
    registry.register("hello", hello)
    with registry.override("hello", other_hello):
        assert registry.get("hello")() == "other"
    assert registry.get("hello") is hello
    with registry.override("new", other_hello):
        assert registry.get("new") is other_hello
    assert "new" not in registry


# --- the system check ---------------------------------------------------------------------------


def test_a_configured_scanner_that_does_not_exist_is_an_error_at_start(settings):
    settings.RATHAUS_VIRUS_SCANNER = "kaspersky"
    errors = [message for message in checks.run_checks() if message.id == "rathaus.E030"]
    assert len(errors) == 1
    assert isinstance(errors[0], checks.Error)
    assert errors[0].msg == "RATHAUS_VIRUS_SCANNER='kaspersky' names no registered virus scanner."
    assert errors[0].hint == "Use one of: none, clamav."


@pytest.mark.parametrize("scanner", ["none", "clamav"])
def test_a_registered_scanner_passes_the_check(settings, scanner):
    settings.RATHAUS_VIRUS_SCANNER = scanner
    assert not [message for message in checks.run_checks() if message.id == "rathaus.E030"]


def test_a_registry_with_a_setting_checks_it(settings):
    settings.RATHAUS_TEST_GREETER = "wave"
    registry: Registry[Greeter] = Registry("greeter", setting="RATHAUS_TEST_GREETER")
    registry.register("hello", hello)
    assert [message.id for message in registry.check_setting()] == ["rathaus.E030"]
    assert "RATHAUS_TEST_GREETER='wave' names no registered greeter" in (
        registry.check_setting()[0].msg
    )
    settings.RATHAUS_TEST_GREETER = "hello"
    assert registry.check_setting() == []
    assert Registry[Greeter]("unconfigured").check_setting() == []


# --- the extension points -----------------------------------------------------------------------


def test_virus_scanners_resolve_through_the_registry(settings):
    assert scanning.scanners.ids() == ("none", "clamav")
    assert set(scanning.scanners) == set(VIRUS_SCANNERS)
    with translation.override("de"):
        labels = dict(scanning.scanners.choices())
        assert str(labels["none"]) == "Keine Virenprüfung (nur für die Entwicklung)"
    settings.RATHAUS_VIRUS_SCANNER = "none"
    assert isinstance(scanning.get_scanner(), scanning.NoScanner)
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = "/run/clamav/clamd.ctl"
    scanner = scanning.get_scanner()
    assert isinstance(scanner, scanning.ClamAVScanner)
    assert scanner.address == "/run/clamav/clamd.ctl"


def test_login_providers_resolve_through_the_registry(settings):
    assert providers.login_providers.ids() == ("local", "oidc", "saml")
    assert isinstance(providers.password_provider("local"), LocalPasswordProvider)
    with translation.override("de"):
        labels = {id: str(label) for id, label in providers.login_providers.choices()}
    assert labels["local"] == "E-Mail-Adresse und Passwort"
    oidc = providers.login_providers.get("oidc")
    settings.RATHAUS_OIDC_ISSUER = ""
    assert not oidc.enabled()
    settings.RATHAUS_OIDC_ISSUER = "https://id.example.org"
    assert oidc.enabled()
    with pytest.raises(UnknownPlugin, match="'oidc' does not take passwords"):
        providers.password_provider("oidc")
    saml = providers.login_providers.get("saml")
    settings.RATHAUS_SAML_IDP_METADATA = ""
    assert not saml.enabled()
    settings.RATHAUS_SAML_IDP_METADATA = "/etc/rathaus/bundid-metadata.xml"
    assert saml.enabled()
    with pytest.raises(UnknownPlugin, match="'saml' does not take passwords"):
        providers.password_provider("saml")


def test_service_task_handlers_resolve_through_the_registry():
    assert set(handlers.service_tasks) == {
        "set_status",
        "set_stage",
        "send_message",
        "request_documents",
        "remind_applicant",
        "reply_to_applicant",
        "generate_decision",
        "escalate",
        "forward",
        "request_payment",
        "refund_payment",
        "offer_cooperation_talk",
        "decide_assembly",
    }
    assert handlers.service_tasks.get("escalate") is process_tasks.escalate
    seen: list[str] = []
    context = handlers.Context(case=None, actor=None, params={"x": "1"}, data={})
    with handlers.service_tasks.override("count", lambda ctx: seen.append(ctx.params["x"])):
        handlers.run("count", context)
    assert seen == ["1"]
    with pytest.raises(handlers.HandlerFailed, match="count"):
        handlers.run("count", context)


def test_ready_may_run_again_without_changing_the_registries(monkeypatch):
    """Django runs ready() once per process; a test runner or a second setup may repeat it."""
    monkeypatch.setattr(core_demo, "login_notes", list(core_demo.login_notes))
    before = (
        scanning.scanners.choices(),
        providers.login_providers.ids(),
        dict(handlers.service_tasks.items()),
    )
    for label in ("core", "accounts", "cases", "processes"):
        apps.get_app_config(label).ready()
    after = (
        scanning.scanners.choices(),
        providers.login_providers.ids(),
        dict(handlers.service_tasks.items()),
    )
    assert after == before

from django.contrib import admin
from django.urls import include, path, re_path

from rathaus.api import api, not_found
from rathaus.appointments import staff_views as appointment_staff_views
from rathaus.core import (
    language,
    metrics,
    staff_password,
    staff_views,
    task_views,
    token_views,
    views,
)
from rathaus.core.files import views as file_views
from rathaus.processes.urls import case_urlpatterns as process_case_urls

staff_patterns = (
    [
        path("", staff_views.home_view, name="home"),
        path("anmelden/", staff_views.login_view, name="login"),
        path("anmelden/code/", staff_views.verify_view, name="verify"),
        path("anmelden/einrichten/", staff_views.enrol_view, name="enrol"),
        path("abmelden/", staff_views.logout_view, name="logout"),
        path("konto/api-schluessel/", token_views.api_tokens_view, name="api_tokens"),
        path("konto/passwort/", staff_password.password_view, name="password"),
        path("hintergrundaufgaben/", task_views.tasks_view, name="tasks"),
    ],
    "staff",
)

core_patterns = (
    [
        path("", views.home, name="home"),
        path("kontakt/", views.contact, name="contact"),
        path("logo/<uuid:pk>/", views.logo, name="logo"),
    ],
    "core",
)

file_patterns = ([path("<uuid:pk>/<str:name>", file_views.download, name="download")], "files")

urlpatterns = [
    path("", include(core_patterns)),
    path("", include("rathaus.legal.urls")),
    path("dateien/", include(file_patterns)),
    path("health", views.health_view, name="health"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("health/live", views.health_live, name="health_live"),
    path("health/ready", views.health_ready, name="health_ready"),
    path("favicon.ico", views.favicon),
    path("leistungen/", include("rathaus.catalog.urls")),
    # before the forms: the notice's stable address leads to the responsible authority's form
    path("antrag/versammlungsanzeige/", include("rathaus.assemblies.urls")),
    path("antrag/", include("rathaus.forms.urls")),
    path("urkunden/", include("rathaus.certificates.urls")),
    path("termine/", include("rathaus.appointments.urls")),
    path("zahlung/", include("rathaus.payments.urls")),
    path("aufruf/<slug:slug>/", appointment_staff_views.display, name="appointments_display"),
    path("konto/antraege/", include("rathaus.cases.citizen_urls")),
    path("konto/", include("rathaus.accounts.urls")),
    path("verwaltung/angebote/", include("rathaus.catalog.staff_urls")),
    path("verwaltung/formulare/", include("rathaus.forms.staff_urls")),
    path("", include((process_case_urls, "processes_case"), namespace="processes_case")),
    path("verwaltung/vorgaenge/", include("rathaus.cases.staff_urls")),
    path("verwaltung/prozesse/", include("rathaus.processes.urls")),
    path("verwaltung/termine/", include("rathaus.appointments.staff_urls")),
    path("verwaltung/rechtliches/", include("rathaus.legal.staff_urls")),
    path("verwaltung/akten/", include("rathaus.documents.staff_urls")),
    path("verwaltung/zahlungen/", include("rathaus.payments.staff_urls")),
    path("verwaltung/austausch/eingang/", include("rathaus.exchange.incoming_urls")),
    path("verwaltung/austausch/", include("rathaus.exchange.staff_urls")),
    path("verwaltung/sensordaten/fehler/", include("rathaus.opendata.mqtt_staff_urls")),
    path("verwaltung/sensordaten/", include("rathaus.opendata.staff_urls")),
    path("verwaltung/daten/", include("rathaus.opendata.catalogue_staff_urls")),
    path("verwaltung/baustellen/bauvorhaben/", include("rathaus.construction.project_staff_urls")),
    path("verwaltung/baustellen/", include("rathaus.construction.staff_urls")),
    path("verwaltung/rat/", include("rathaus.council.staff_urls")),
    path("verwaltung/bekanntmachungen/", include("rathaus.noticeboard.staff_urls")),
    path("verwaltung/mitmachen/", include("rathaus.participation.staff_urls")),
    path("verwaltung/veranstaltungen/", include("rathaus.events.staff_urls")),
    path("verwaltung/projekte/", include("rathaus.projects.staff_urls")),
    path("verwaltung/schulen/", include("rathaus.schools.staff_urls")),
    path("verwaltung/", include(staff_patterns)),
    path("ozg/", include("rathaus.catalog.dashboard_urls")),
    # the catalogue before the dashboards: /daten/<topic>/ would take "katalog"
    path("daten/katalog/", include("rathaus.opendata.dcat.urls")),
    path("daten/katalog/", include("rathaus.opendata.catalogue_urls")),
    path("daten/", include("rathaus.opendata.urls")),
    path("baustellen/bauvorhaben/", include("rathaus.construction.project_urls")),
    path("baustellen/", include("rathaus.construction.urls")),
    path("rat/", include("rathaus.council.urls")),
    path("oparl/v1/", include("rathaus.council.oparl_urls")),
    path("bekanntmachungen/", include("rathaus.noticeboard.urls")),
    path("anzeige/", include("rathaus.noticeboard.screen_urls")),
    path("mitmachen/", include("rathaus.participation.urls")),
    path("veranstaltungen/", include("rathaus.events.urls")),
    path("digitalisierung/", include("rathaus.projects.urls")),
    path("schule/", include("rathaus.schools.urls")),
    path("sta/v1.1/", include("rathaus.opendata.sta.urls")),
    path("demo/", include("rathaus.core.demo_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<path>.*)$", not_found),
    # without a CSRF token, so that public pages can be shared from the page cache
    path("i18n/setlang/", language.set_language, name="set_language"),
]

handler400 = "rathaus.core.views.bad_request"
handler403 = "rathaus.core.views.permission_denied"
handler404 = "rathaus.core.views.page_not_found"
handler500 = "rathaus.core.views.server_error"

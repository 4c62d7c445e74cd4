"""Part of the staff pages below ``/verwaltung/rat/`` (namespace ``council_staff``): persons
with their memberships, organisations, legislative terms and locations."""

from django.urls import URLPattern, URLResolver, path

from rathaus.council import staff_people_views as views

# the German path segment of every kind kept on these pages
SEGMENTS = {"person": "personen", "organization": "gremien", "term": "wahlperioden",
            "location": "orte"}  # fmt: skip

urlpatterns: list[URLPattern | URLResolver] = []
for kind, segment in SEGMENTS.items():
    urlpatterns += [
        path(f"{segment}/", views.object_list, {"kind": kind}, name=f"{kind}s"),
        path(f"{segment}/neu/", views.object_add, {"kind": kind}, name=f"{kind}_add"),
        path(f"{segment}/<id:pk>/", views.object_edit, {"kind": kind}, name=kind),
        path(f"{segment}/<id:pk>/loeschen/", views.object_delete, {"kind": kind},
             name=f"{kind}_delete"),
    ]  # fmt: skip
urlpatterns += [
    path("personen/<id:pk>/mitgliedschaften/neu/", views.membership_add, name="membership_add"),
    path("personen/<id:pk>/mitgliedschaften/<id:membership>/", views.membership_edit,
         name="membership"),
    path("personen/<id:pk>/mitgliedschaften/<id:membership>/loeschen/", views.membership_delete,
         name="membership_delete"),
]  # fmt: skip

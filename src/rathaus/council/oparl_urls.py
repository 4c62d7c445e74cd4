"""The OParl 1.1 server below ``/oparl/v1/`` (docs/oparl.md).

``/oparl/v1/`` is the System, ``body/`` the list of bodies, ``body/<id>/<type>/`` the lists of a
body (``paper``, ``meeting``, ``person``, ``organization``, ``agendaitem``, ``consultation``,
``file``, ``location``, ``legislativeterm``, ``membership``) and ``<type>/<id>`` each object;
``file/<id>/inhalt`` and ``file/<id>/download`` serve a file's content.
"""

from django.urls import URLPattern, URLResolver, path

from rathaus.council.oparl import files, views

app_name = "oparl"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.system, name="system"),
    path("body/", views.bodies, name="bodies"),
    path("body/<id:pk>", views.body, name="body"),
    path("body/<id:pk>/<slug:segment>/", views.body_list, name="list"),
    path("file/<id:pk>/inhalt", files.access, name="file-access"),
    path("file/<id:pk>/download", files.download, name="file-download"),
    path("<slug:segment>/<id:pk>", views.single, name="object"),
]

from django.urls import path

from rathaus.core import demo_views

app_name = "demo"

urlpatterns = [
    path("postausgang/", demo_views.outbox, name="outbox"),
    path("postausgang/<id:pk>/", demo_views.outbox_email, name="outbox_email"),
    path(
        "postausgang/<id:pk>/anhang/<id:attachment>/",
        demo_views.outbox_attachment,
        name="outbox_attachment",
    ),
    path("postausgang/<id:pk>/html/", demo_views.outbox_email_html, name="outbox_email_html"),
]

from django.urls import path

from rathaus.core import demo_views

app_name = "demo"

urlpatterns = [
    path("postausgang/", demo_views.outbox, name="outbox"),
    path("postausgang/<int:pk>/", demo_views.outbox_email, name="outbox_email"),
    path(
        "postausgang/<int:pk>/anhang/<int:attachment>/",
        demo_views.outbox_attachment,
        name="outbox_attachment",
    ),
    path("postausgang/<int:pk>/html/", demo_views.outbox_email_html, name="outbox_email_html"),
]

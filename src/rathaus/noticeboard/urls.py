"""Public official notices below ``/bekanntmachungen/``: the notices on display, the archive,
the Atom feed, one notice with its attachments, and the e-mail subscription."""

from django.urls import URLPattern, URLResolver, path

from rathaus.noticeboard import feeds, subscription_views, views

app_name = "noticeboard"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.notice_list, name="list"),
    path("archiv/", views.archive, name="archive"),
    path("feed.atom", feeds.atom, name="atom"),
    path("abonnieren/", subscription_views.subscribe, name="subscribe"),
    path("abonnieren/gesendet/", subscription_views.subscribe_sent, name="subscribe_sent"),
    path("abonnieren/bestaetigen/<str:token>/", subscription_views.confirm, name="confirm"),
    path("abonnieren/abmelden/<str:code>/", subscription_views.unsubscribe, name="unsubscribe"),
    path("<uuid:uid>/", views.notice_detail, name="notice"),
    path("<uuid:uid>/aushangnachweis.pdf", views.proof_pdf, name="proof"),
    path("<uuid:uid>/anlagen/<id:pk>/", views.attachment, name="attachment"),
]

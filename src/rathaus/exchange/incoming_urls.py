from django.urls import URLPattern, path

from rathaus.exchange import incoming_views

app_name = "exchange_incoming"

urlpatterns: list[URLPattern] = [
    path("", incoming_views.incoming_list, name="list"),
    path("<uuid:pk>/", incoming_views.incoming_detail, name="detail"),
]

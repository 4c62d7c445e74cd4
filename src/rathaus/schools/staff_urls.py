"""Staff pages below ``/verwaltung/schulen/``."""

from django.urls import URLPattern, URLResolver, path

from rathaus.schools import staff_more, staff_views

app_name = "schools_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", staff_views.school_list, name="list"),
    path("<id:pk>/", staff_views.school_page, name="school"),
    path("<id:pk>/geraete/", staff_views.device_list, name="devices"),
    path("<id:pk>/geraete/neu/", staff_views.device_add, name="device_add"),
    path("geraete/<id:pk>/", staff_views.device_page, name="device"),
    path("geraete/<id:pk>/ausleihen/", staff_views.lend, name="lend"),
    path("ausleihen/<id:pk>/rueckgabe/", staff_views.give_back, name="return"),
    path("ausleihen/<id:pk>/leihvertrag.pdf", staff_views.agreement, name="agreement"),
]
urlpatterns += [
    path("<id:pk>/anfragen/", staff_more.request_list, name="requests"),
    path("anfragen/<id:pk>/", staff_more.request_page, name="request"),
    path("anfragen/<id:pk>/foto", staff_more.request_photo, name="request_photo"),
    path("<id:pk>/wartung-und-schulung/", staff_more.care_records, name="care"),
    path("<id:pk>/lehrkraefte/", staff_more.teachers, name="teachers"),
    path("<id:pk>/etiketten.pdf", staff_more.labels, name="labels"),
    path("import/", staff_more.import_devices, name="import"),
]

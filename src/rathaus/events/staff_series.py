"""Staff pages of series of events (``/verwaltung/veranstaltungen/reihen/``): the series, its
dates, generating the dates of its period and cancelling single dates."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core.staff_views import staff_required
from rathaus.events import staff_services
from rathaus.events.models import Series
from rathaus.events.staff_forms import ExceptionForm, SeriesForm
from rathaus.events.staff_views import _initial_place, authorities, chosen


def _series(request: HttpRequest, pk: int) -> Series:
    series = Series.objects.select_related("authority").filter(
        pk=pk, authority__in=authorities(request)
    ).first()  # fmt: skip
    if series is None:
        raise Http404("no series of the user's authorities")
    return series


def _url(series: Series) -> str:
    return reverse("events_staff:series", args=[series.pk])


@never_cache
@require_safe
@staff_required
def series_list(request: HttpRequest) -> HttpResponse:
    kept = authorities(request)
    authority = chosen(request, kept)
    found = Series.objects.filter(authority=authority).order_by("title", "pk")
    return render(request, "events/staff/series_list.html", {
        "authority": authority, "authorities": kept, "series_list": found,
    })  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def series_add(request: HttpRequest) -> HttpResponseBase:
    kept = authorities(request)
    authority = chosen(request, kept)
    form = SeriesForm(request.POST or None, authority=authority,
                      initial=_initial_place(authority))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        series = staff_services.save_series(
            Series(authority=authority), form.data_for_service(), request.user
        )
        created = staff_services.generate(series, request.user)
        messages.success(request, _("The series was saved with %(count)s dates.") % {
            "count": created})  # fmt: skip
        return redirect(_url(series))
    return render(request, "events/staff/series.html", {
        "form": form, "authority": authority, "series": None,
    }, status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def series_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    series = _series(request, pk)
    form = SeriesForm(request.POST or None, instance=series, authority=series.authority)
    if request.method == "POST" and form.is_valid():
        staff_services.save_series(series, form.data_for_service(), request.user)
        created = staff_services.generate(series, request.user)
        messages.success(request, _("The series was saved; %(count)s new dates.") % {
            "count": created})  # fmt: skip
        return redirect(_url(series))
    if form.is_bound:
        series.refresh_from_db()
    return _page(request, series, form, ExceptionForm(series=series),
                 422 if form.is_bound else 200)  # fmt: skip


def _page(request: HttpRequest, series: Series, form: SeriesForm, exception: ExceptionForm,
          status: int) -> HttpResponse:  # fmt: skip
    return render(request, "events/staff/series.html", {
        "form": form, "authority": series.authority, "series": series, "exception_form": exception,
        "dates": series.occurrences.order_by("starts_at")[:200],
        "exceptions": series.exceptions.all(),
    }, status=status)  # fmt: skip


@require_POST
@staff_required
def series_exception(request: HttpRequest, pk: int) -> HttpResponseBase:
    series = _series(request, pk)
    form = ExceptionForm(request.POST, series=series)
    if not form.is_valid():
        return _page(request, series, SeriesForm(instance=series, authority=series.authority),
                     form, 422)  # fmt: skip
    staff_services.add_exception(series, form.cleaned_data["day"], form.cleaned_data["reason"],
                                 request.user)  # fmt: skip
    messages.success(request, _("The date on %(day)s does not take place.") % {
        "day": form.cleaned_data["day"].strftime("%d.%m.%Y")})  # fmt: skip
    return redirect(_url(series))

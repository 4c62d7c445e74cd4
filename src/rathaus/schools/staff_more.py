"""More staff pages of the school IT: support requests, maintenance and training records,
teacher invitations, the CSV import and the label sheet (ADR 0073). Access as in
:mod:`rathaus.schools.access`."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import audit, files
from rathaus.core.pdf import render_pdf
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import portal_url
from rathaus.schools import access, importer, services, support
from rathaus.schools.models import Device, SupportRequest
from rathaus.schools.staff_forms import CareRecordForm, ImportForm, InviteForm, WorkForm


@never_cache
@require_safe
@staff_required
def request_list(request: HttpRequest, pk: int) -> HttpResponse:
    school = access.school(request, pk)
    show_all = request.GET.get("alle") == "1"
    found = school.requests.select_related("device", "room")
    if not show_all:
        found = found.filter(status__in=SupportRequest.OPEN)
    context = {"school": school, "requests": found[:500], "show_all": show_all}
    return render(request, "schools/staff/requests.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def request_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = access.support_request(request, pk)
    form = WorkForm(
        request.POST or None, initial={"status": found.status, "priority": found.priority}
    )
    if request.method == "POST" and form.is_valid():
        try:
            support.work(found, actor=request.user, **form.cleaned_data)
        except support.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The request was saved."))
            return redirect("schools_staff:request", found.pk)
    context = {"school": found.school, "found": found, "form": form, "events": found.events.all()}
    return render(request, "schools/staff/request.html", context)


@never_cache
@require_safe
@staff_required
def request_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = access.support_request(request, pk)
    if found.photo is None:
        raise Http404("the request has no photo")
    return files.response(found.photo, as_attachment=False)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def care_records(request: HttpRequest, pk: int) -> HttpResponseBase:
    school = access.school(request, pk)
    form = CareRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_care_record(school, form.cleaned_data, request.user)
        messages.success(request, _("The record was saved."))
        return redirect("schools_staff:care", school.pk)
    context = {"school": school, "form": form, "records": school.care_records.all()[:500]}
    return render(request, "schools/staff/care.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def teachers(request: HttpRequest, pk: int) -> HttpResponseBase:
    school = access.school(request, pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            support.invite(school, actor=request.user, **form.cleaned_data)
        except support.Refused as refusal:
            form.add_error("email", str(refusal))
        else:
            messages.success(request, _("The invitation was sent."))
            return redirect("schools_staff:teachers", school.pk)
    context = {"school": school, "form": form, "teachers": school.teachers.select_related("user")}
    return render(request, "schools/staff/teachers.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def import_devices(request: HttpRequest) -> HttpResponseBase:
    """Upload a CSV of devices: every line is checked first; one bad line imports nothing and
    the report names each problem with its line number."""
    kept = access.schools(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > importer.MAX_BYTES:
            form.add_error("file", _("The file is too large: at most 5 MB."))
        else:
            report = importer.run(upload.read(), schools=kept, actor=request.user)
            status = 200 if report.ok else 422
            return render(
                request,
                "schools/staff/import.html",
                {"form": ImportForm(), "report": report},
                status=status,
            )
    return render(request, "schools/staff/import.html", {"form": form, "report": report})


def qr_code(address: str) -> str:
    """The QR code of an address as a PNG data URI (a picture the PDF keeps as it is)."""
    return str(segno.make(address, error="m").png_data_uri(scale=4, border=2))


def _labelled(school_devices: QuerySet[Device]) -> list[tuple[Device, str]]:
    from django.urls import reverse

    labels = []
    for device in school_devices:
        address = portal_url(
            device.school.authority, reverse("schools_staff:device", args=[device.pk])
        )
        labels.append((device, qr_code(address)))
    return labels


@never_cache
@require_safe
@staff_required
def labels(request: HttpRequest, pk: int) -> HttpResponse:
    """A sheet of labels (3 × 8 on A4), each with a QR code that opens the device's page."""
    school = access.school(request, pk)
    devices = school.devices.select_related("school__authority").exclude(state=Device.State.RETIRED)
    if request.GET.get("art", "") in Device.Kind.values:
        devices = devices.filter(kind=request.GET["art"])
    pdf = render_pdf(
        "schools/staff/labels_pdf.html", {"school": school, "labels": _labelled(devices[:480])}
    )
    audit.record(
        "schools.labels.printed", actor=request.user, authority=school.authority, obj=school
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="etiketten-{school.code}.pdf"'
    return response

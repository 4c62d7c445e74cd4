"""Staff pages of the school IT below ``/verwaltung/schulen/`` (ADR 0073): the schools with their
dashboards, devices, loans with the loan agreement. Who may use them: :mod:`rathaus.schools.access`.
Changes go through :mod:`rathaus.schools.services`. Imports, labels, support requests, care
records and invitations are in :mod:`rathaus.schools.staff_more`."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import audit
from rathaus.core.pdf import render_pdf
from rathaus.core.staff_views import staff_required
from rathaus.schools import access, services
from rathaus.schools.models import Device, School, SupportRequest
from rathaus.schools.staff_forms import DeviceForm, LoanForm, ReturnForm

WARRANTY_DAYS = 90


def dashboard(school: School) -> dict[str, object]:
    """The figures of one school: devices by state, open requests (and those past their target)
    and devices whose warranty ends within 90 days."""
    today = timezone.localdate()
    states = dict(school.devices.values_list("state").annotate(n=Count("pk")))
    open_requests = list(
        school.requests.filter(status__in=SupportRequest.OPEN).select_related("device", "room")
    )
    return {
        "states": [(label, states.get(value, 0)) for value, label in Device.State.choices],
        "open_requests": open_requests,
        "breached": sum(1 for found in open_requests if found.target_breached),
        "warranty": school.devices.filter(
            warranty_end__gte=today, warranty_end__lte=today + timedelta(days=WARRANTY_DAYS)
        )
        .exclude(state=Device.State.RETIRED)
        .order_by("warranty_end"),
    }


@never_cache
@require_safe
@staff_required
def school_list(request: HttpRequest) -> HttpResponse:
    found = access.schools(request).annotate(
        device_count=Count("devices", distinct=True),
        open_count=Count(
            "requests", filter=Q(requests__status__in=SupportRequest.OPEN), distinct=True
        ),
    )
    return render(request, "schools/staff/list.html", {"schools": found})


@never_cache
@require_safe
@staff_required
def school_page(request: HttpRequest, pk: int) -> HttpResponse:
    school = access.school(request, pk)
    context = {"school": school, **dashboard(school), "records": school.care_records.all()[:5]}
    return render(request, "schools/staff/school.html", context)


@never_cache
@require_safe
@staff_required
def device_list(request: HttpRequest, pk: int) -> HttpResponse:
    school = access.school(request, pk)
    devices = school.devices.select_related("room")
    state = request.GET.get("zustand", "")
    kind = request.GET.get("art", "")
    if state in Device.State.values:
        devices = devices.filter(state=state)
    if kind in Device.Kind.values:
        devices = devices.filter(kind=kind)
    context = {
        "school": school,
        "devices": devices[:1000],
        "state": state,
        "kind": kind,
        "states": Device.State.choices,
        "kinds": Device.Kind.choices,
    }
    return render(request, "schools/staff/devices.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def device_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    school = access.school(request, pk)
    form = DeviceForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.add_device(school, form.values(), request.user)
        except services.Refused as refusal:
            form.add_error("state", str(refusal))
        else:
            messages.success(request, _("The device was added."))
            return redirect("schools_staff:device", device.pk)
    return render(request, "schools/staff/device_form.html", {"school": school, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def device_page(request: HttpRequest, pk: int) -> HttpResponseBase:
    device = access.device(request, pk)
    form = DeviceForm(request.POST or None, instance=device, school=device.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_device(device, form.values(), request.user)
        except services.Refused as refusal:
            form.add_error("state", str(refusal))
        else:
            messages.success(request, _("The device was saved."))
            return redirect("schools_staff:device", device.pk)
    device.refresh_from_db()  # a refused form leaves the stored values on show
    loans = device.loans.all()
    context = {
        "school": device.school,
        "device": device,
        "form": form,
        "loans": loans,
        "open_loan": next((loan for loan in loans if loan.returned_at is None), None),
        "requests": device.requests.order_by("-created_at")[:20],
    }
    return render(request, "schools/staff/device.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def lend(request: HttpRequest, pk: int) -> HttpResponseBase:
    device = access.device(request, pk)
    form = LoanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loan = services.lend(device, actor=request.user, **form.cleaned_data)
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, _("The device is lent. Print the loan agreement and have it signed.")
            )
            return redirect("schools_staff:device", loan.device_id)
    status = 409 if form.non_field_errors() else 200
    return render(
        request,
        "schools/staff/lend.html",
        {"school": device.school, "device": device, "form": form},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def give_back(request: HttpRequest, pk: int) -> HttpResponseBase:
    loan = access.loan(request, pk)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_back(loan, note=form.cleaned_data["note"], actor=request.user)
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The return was recorded."))
            return redirect("schools_staff:device", loan.device_id)
    context = {"school": loan.device.school, "device": loan.device, "loan": loan, "form": form}
    return render(request, "schools/staff/return.html", context)


@never_cache
@require_safe
@staff_required
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """The loan agreement as a tagged PDF, to be signed by the parent or guardian."""
    loan = access.loan(request, pk)
    school = loan.device.school
    pdf = render_pdf(
        "schools/staff/agreement_pdf.html",
        {
            "loan": loan,
            "device": loan.device,
            "school": school,
            "authority": school.authority,
            "today": timezone.localdate(),
        },
    )
    audit.record("schools.loan.agreement", actor=request.user, authority=school.authority, obj=loan)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leihvertrag-{loan.pk}.pdf"'
    return response

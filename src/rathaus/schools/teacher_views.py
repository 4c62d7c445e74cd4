"""The teachers' pages under ``/schule/`` (ADR 0073): log in with the school login, set the
password with the invitation link, report a problem, follow one's own requests.

A teacher is a user with a :class:`~rathaus.schools.models.Teacher` profile and without staff
rights; the login goes through ``authenticate`` like the other logins, so django-axes and the
slow-down of :mod:`rathaus.accounts.lockouts` count and lock failed attempts."""

from __future__ import annotations

from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.files import UploadRejected
from rathaus.core.logout import log_out
from rathaus.core.tenancy import current_authority
from rathaus.schools import support
from rathaus.schools.models import SupportRequest, Teacher
from rathaus.schools.teacher_forms import ReportForm, SetPasswordForm, TeacherLoginForm

V = TypeVar("V")


def teacher_of(user: Any) -> Teacher | None:
    if not getattr(user, "is_authenticated", False) or user.is_staff or not user.is_active:
        return None
    return Teacher.objects.select_related("school__authority").filter(user=user).first()


def teacher_required(view: V) -> V:
    """Only a logged-in teacher; everyone else is sent to the school login."""

    @wraps(view)  # type: ignore[arg-type]
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        teacher = teacher_of(request.user)
        if teacher is None:
            return HttpResponseRedirect(reverse("schools_teacher:login"))
        response: HttpResponseBase = view(request, teacher, *args, **kwargs)  # type: ignore[operator]
        return response

    return cast(V, wrapper)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = TeacherLoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is not None and teacher_of(user) is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            audit.record("schools.teacher.login", actor=user, authority=current_authority(request))
            return redirect("schools_teacher:home")
        audit.record(
            "schools.teacher.login_failed",
            actor_name=email[:200],
            authority=current_authority(request),
        )
        error = _("The e-mail address or the password is wrong.")
    return render(request, "schools/teacher/login.html", {"form": form, "error": error})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return log_out(request, "schools.teacher.logout", "schools_teacher:login")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """Set the password with the link of the invitation (single-use, expiring, signed)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        pk = 0
    user = get_user_model().objects.filter(pk=pk, teacher__isnull=False, is_staff=False).first()
    if user is None or not support.invitations.check_token(user, token):
        return render(request, "schools/teacher/invitation_failed.html", status=400)
    form = SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        support.accept(user, form.cleaned_data["password1"])
        messages.success(request, _("Your password is set. Log in with your e-mail address."))
        return redirect("schools_teacher:login")
    return render(request, "schools/teacher/invitation.html", {"form": form, "user": user})


@never_cache
@require_safe
@teacher_required
def home(request: HttpRequest, teacher: Teacher) -> HttpResponse:
    found = teacher.school.requests.select_related("device", "room", "teacher")
    context = {"teacher": teacher, "requests": found[:200]}
    return render(request, "schools/teacher/home.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@teacher_required
def report(request: HttpRequest, teacher: Teacher) -> HttpResponse:
    form = ReportForm(request.POST or None, request.FILES or None, school=teacher.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = support.report(
                teacher,
                text=data["text"],
                device=data["device"],
                room=data["room"],
                photo=data["photo"],
            )
        except UploadRejected as rejected:
            form.add_error("photo", str(rejected))
        else:
            messages.success(request, _("Thank you. Your request was sent to the school IT."))
            return redirect("schools_teacher:request", found.pk)
    status = 422 if form.errors else 200
    return render(
        request, "schools/teacher/report.html", {"teacher": teacher, "form": form}, status=status
    )


@never_cache
@require_safe
@teacher_required
def request_page(request: HttpRequest, teacher: Teacher, pk: int) -> HttpResponse:
    """One request of the teacher's school (a request of another school is not found)."""
    found = (
        SupportRequest.objects.select_related("device", "room")
        .filter(pk=pk, school=teacher.school)
        .first()
    )
    if found is None:
        raise Http404("no request of the teacher's school")
    context = {"teacher": teacher, "found": found, "events": found.events.all()}
    return render(request, "schools/teacher/request.html", context)

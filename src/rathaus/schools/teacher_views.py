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
from rathaus.schools.teacher_forms import (
    PhotoForm,
    ReportForm,
    SetPasswordForm,
    TeacherLoginForm,
)

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
    form = ReportForm(request.POST or None, school=teacher.school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        found = support.report(teacher, text=data["text"], device=data["device"], room=data["room"])
        messages.success(
            request,
            _("Thank you. Your request was sent to the school IT. You can add a photo below."),
        )
        return redirect("schools_teacher:request", found.pk)
    status = 422 if form.errors else 200
    return render(
        request, "schools/teacher/report.html", {"teacher": teacher, "form": form}, status=status
    )


def _found(teacher: Teacher, pk: int) -> SupportRequest:
    found = (
        SupportRequest.objects.select_related("device", "room")
        .filter(pk=pk, school=teacher.school)
        .first()
    )
    if found is None:
        raise Http404("no request of the teacher's school")
    return found


def _page(
    request: HttpRequest,
    teacher: Teacher,
    found: SupportRequest,
    form: PhotoForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "teacher": teacher,
        "found": found,
        "events": found.events.all(),
        "form": form,
        "may_add_photo": found.teacher_id == teacher.pk and found.photo_id is None,
    }
    return render(request, "schools/teacher/request.html", context, status=status)


@never_cache
@require_safe
@teacher_required
def request_page(request: HttpRequest, teacher: Teacher, pk: int) -> HttpResponse:
    """One request of the teacher's school (a request of another school is not found)."""
    return _page(request, teacher, _found(teacher, pk), PhotoForm())


@never_cache
@require_POST
@teacher_required
def photo(request: HttpRequest, teacher: Teacher, pk: int) -> HttpResponse:
    """The photo of one's own request. The text is stored already: a refused photo (or one the
    installation's upload limit stops with its 413 page) loses nothing."""
    found = _found(teacher, pk)
    form = PhotoForm(request.POST, request.FILES)
    if found.teacher_id != teacher.pk or found.photo_id is not None:
        form.add_error(None, _("Only the person who reported the request adds one photo."))
        return _page(request, teacher, found, form, status=409)
    if form.is_valid():
        try:
            support.add_photo(found, form.cleaned_data["photo"], teacher)
        except UploadRejected as rejected:
            form.add_error("photo", str(rejected))
            return _page(request, teacher, found, form, status=rejected.status)
        messages.success(request, _("The photo was added."))
        return redirect("schools_teacher:request", found.pk)
    return _page(request, teacher, found, form, status=422)

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rathaus.core import files
from rathaus.core.models import (
    AuditEvent,
    Authority,
    AuthorityHost,
    Membership,
    OrgUnit,
    OutgoingEmail,
)

User = get_user_model()

# The admin classes are generic only in django-stubs; Django cannot subscript them at run time.
if TYPE_CHECKING:
    from django.contrib.auth.models import User as StaffUser

    _AuthorityHostInlineBase = admin.TabularInline[AuthorityHost, Authority]
    _AuthorityFormBase = forms.ModelForm[Authority]
    _AuthorityAdminBase = admin.ModelAdmin[Authority]
    _OrgUnitAdminBase = admin.ModelAdmin[OrgUnit]
    _MembershipAdminBase = admin.ModelAdmin[Membership]
    _AuditEventAdminBase = admin.ModelAdmin[AuditEvent]
    _MembershipInlineBase = admin.TabularInline[Membership, StaffUser]
    _StaffUserAdminBase = UserAdmin[StaffUser]
    _OutgoingEmailAdminBase = admin.ModelAdmin[OutgoingEmail]
else:
    _AuthorityHostInlineBase = _MembershipInlineBase = admin.TabularInline
    _AuthorityFormBase = forms.ModelForm
    _AuthorityAdminBase = _OrgUnitAdminBase = _MembershipAdminBase = admin.ModelAdmin
    _AuditEventAdminBase = _OutgoingEmailAdminBase = admin.ModelAdmin
    _StaffUserAdminBase = UserAdmin


class AuthorityHostInline(_AuthorityHostInlineBase):
    model = AuthorityHost
    extra = 1


LOGO_RULES = files.UploadRules(accept=(files.PNG, files.JPEG, files.WEBP), max_bytes=512 * 1024)


class AuthorityForm(_AuthorityFormBase):
    """The logo is uploaded and checked like every upload, never chosen from stored files."""

    logo_file = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, up to 512 KB. Empty: the logo stays."),
    )

    class Meta:
        model = Authority
        fields = [
            "slug",
            "name",
            "kind",
            "ags",
            "ars",
            "state",
            "parent",
            "street",
            "postal_code",
            "city",
            "email",
            "sender_email",
            "logo_alt",
            "phone",
            "website",
            "reference_prefix",
        ]

    def clean_logo_file(self) -> files.StoredFile | None:
        uploaded = self.cleaned_data.get("logo_file")
        if not uploaded:
            return None
        try:
            return files.check_and_store(uploaded, LOGO_RULES).file
        except files.UploadRejected as rejected:
            raise forms.ValidationError(str(rejected)) from None

    def save(self, commit: bool = True) -> Authority:
        authority: Authority = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            authority.logo = self.cleaned_data["logo_file"]
        if commit:
            authority.save()
            self.save_m2m()
        return authority


class ReadOnlyAdminMixin:
    """For rows the application writes: the admin shows them, nobody adds, edits or deletes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Authority)
class AuthorityAdmin(_AuthorityAdminBase):
    form = AuthorityForm
    list_display = ["name", "kind", "state", "ags", "ars", "parent"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "ags", "ars"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AuthorityHostInline]


@admin.register(OrgUnit)
class OrgUnitAdmin(_OrgUnitAdminBase):
    list_display = ["name", "authority", "parent"]
    list_filter = ["authority"]
    list_select_related = ["authority", "parent"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(_MembershipAdminBase):
    list_display = ["user", "org_unit", "role"]
    list_filter = ["org_unit__authority", "role"]
    list_select_related = ["user", "org_unit", "role"]
    autocomplete_fields = ["org_unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, _AuditEventAdminBase):
    """Read-only: the audit log is written by the application and never edited."""

    list_display = [
        "chain",
        "sequence",
        "created_at",
        "action",
        "actor_label",
        "object_repr",
        "authority",
    ]
    list_filter = ["action", "authority"]
    list_select_related = ["authority"]
    search_fields = ["action", "actor_label", "object_repr"]


class MembershipInline(_MembershipInlineBase):
    model = Membership
    extra = 1
    autocomplete_fields = ["org_unit"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(_StaffUserAdminBase):
    """Django's user admin with the user's roles in organisational units."""

    inlines = [MembershipInline]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, _OutgoingEmailAdminBase):
    """Read-only: e-mails are written by rathaus.core.mail and delivered by the task worker."""

    list_display = ["created_at", "to", "subject", "status", "transport", "attempts", "authority"]
    list_filter = ["status", "transport", "authority"]
    list_select_related = ["authority"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"

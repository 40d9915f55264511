from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from partnerships.auth_backends import login_throttle
from partnerships.models import (
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    Outcome,
    Partnership,
)


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in says so when the login limit refused it, like the site's."""

    def get_invalid_login_error(self) -> ValidationError:
        throttle = login_throttle(self.request, self.cleaned_data.get("username"))
        if throttle.locked:
            return ValidationError(throttle.message, code="throttled")
        return super().get_invalid_login_error()


admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["place"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["organisations"]
    raw_id_fields = ["places"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "partnership", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    readonly_fields = ["token", "accepted_at", "accepted_by"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["title", "partnership", "lead_organisation", "is_published"]
    list_filter = ["partnership"]
    filter_horizontal = ["contributors"]
    raw_id_fields = ["indicators", "framework"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "partnership", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

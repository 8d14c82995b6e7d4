from allauth.socialaccount.models import SocialApp, SocialToken
from django.contrib import admin

from core.models import AuditEvent

from .models import Invitation, LocalAuthority, LoginRequest, School, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "role", "local_authority", "school", "is_active")
    list_filter = ("role", "local_authority", "is_active")
    search_fields = ("email", "full_name")
    exclude = ("password",)


admin.site.register(LocalAuthority)
admin.site.register(School, search_fields=("name", "urn"), list_display=("name", "urn", "ofsted_rating"))
admin.site.register(LoginRequest, list_display=("full_name", "email", "status"))
admin.site.register(Invitation, list_display=("user", "created_at", "expires_at", "used_at"))


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "verb", "object_type", "object_id", "child_id")
    list_filter = ("verb", "object_type")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


# Council sign-in providers live in CouncilSignIn (secrets encrypted), set on each LA
# admin's own page; allauth's SocialApp and SocialToken tables are unused (no tokens are
# stored), so their admin pages would only mislead.
for _model in (SocialApp, SocialToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

from django.contrib import admin, messages

from .models import IdempotencyKey, Token


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Staff issue a token for someone (its secret is shown once) and revoke one by deleting it."""

    list_display = ("name", "user", "created_at", "last_used_at", "expires_at")
    list_filter = ("created_at", "expires_at")
    search_fields = ("name", "user__email")
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        # A token is not edited once issued: revoke it and issue another.
        return ("user", "name", "created_at", "last_used_at", "expires_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if not change:
            secret = obj.new_secret()
            message = f"The token's secret, shown only this once: {secret}"
            self.message_user(request, message, messages.WARNING)
        super().save_model(request, obj, form, change)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    """The idempotency keys of the last API_IDEMPOTENCY_HOURS, read only: the API writes them.
    Deleting one lets its key create again."""

    list_display = ("key", "owner", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("key", "owner__email")
    readonly_fields = ("owner", "key", "fingerprint", "status", "body", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

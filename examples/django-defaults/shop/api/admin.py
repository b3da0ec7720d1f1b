from django.contrib import admin, messages

from .models import Token


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

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backpath.web.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "user", "created", "last_used", "revoked")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("prefix", "created", "last_used")
    fields = ("user", "name", "prefix", "created", "last_used", "revoked")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # keys are issued by `create_api_token`, which shows the key once

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from backpath.web.accounts.models import Clinic, User


@admin.register(User)
class BackPathUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("BackPath", {"fields": ("role", "clinic")}))
    list_display = ("username", "role", "clinic", "is_active")
    list_filter = ("role", "clinic")


admin.site.register(Clinic)

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from fanworks.accounts.models import Pseud, User

admin.site.register(User, UserAdmin)


@admin.register(Pseud)
class PseudAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "is_default"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]

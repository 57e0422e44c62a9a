from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from .models import User


class EmailUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin, ModelAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["email", "username", "first_name", "last_name", "is_verified", "is_staff"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_verified", "groups"]
    search_fields = ["email", "first_name", "last_name", "phone_number"]
    ordering = ["email"]
    readonly_fields = ["username", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "username", "password"]}),
        ("Profile", {"fields": ["first_name", "last_name", "phone_number", "profile_picture"]}),
        ("Status", {"fields": ["is_active", "is_verified"]}),
        ("Access", {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin, ModelAdmin):
    pass

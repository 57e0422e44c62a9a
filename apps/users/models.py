from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from apps.catalog.media import validate_image_upload
from apps.toolkit.guarded import TrackedModel

USERNAME_MAX_LENGTH = 70


def username_base(email: str) -> str:
    """The ASCII slug of an e-mail's local part: 'Fátima.Khan+shop@x' -> 'fatima-khan-shop'."""
    local_part = email.rsplit("@", 1)[0]
    return slugify(local_part.replace(".", "-").replace("+", "-"))[:USERNAME_MAX_LENGTH] or "user"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True or extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin, TrackedModel):
    """A customer or a staff member; the e-mail address is the login."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    username = models.CharField(
        max_length=USERNAME_MAX_LENGTH,
        unique=True,
        editable=False,
        help_text="Generated from the e-mail address when the account is created; never changes.",
    )
    first_name = models.CharField(max_length=128, blank=True)
    last_name = models.CharField(max_length=70, blank=True)
    profile_picture = models.ImageField(
        upload_to="profile_pictures/",
        max_length=100,
        blank=True,
        validators=[validate_image_upload],
    )
    phone_number = models.CharField(max_length=15, blank=True)
    # Verbose names read in filters as "By e-mail confirmed", "By active".
    is_verified = models.BooleanField(
        "e-mail confirmed", default=False, help_text="The customer confirmed the e-mail address."
    )
    is_active = models.BooleanField("active", default=True)
    is_staff = models.BooleanField(
        "staff account", default=False, help_text="Can sign in to the back office."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        db_table = "users_user"
        ordering = ["email"]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        if not self.username:
            self.username = self.unique_username(self.email)
        super().save(*args, **kwargs)

    @classmethod
    def unique_username(cls, email: str) -> str:
        """A free username derived from ``email``: 'fatima', then 'fatima-2', 'fatima-3', ..."""
        base = username_base(email)
        # Room for a suffix of up to seven characters ("-999999") is kept in the prefix queried.
        prefix = base[: USERNAME_MAX_LENGTH - 7]
        taken = set(
            cls._default_manager.filter(username__startswith=prefix).values_list(
                "username", flat=True
            )
        )
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            suffix = f"-{number}"
            candidate = base[: USERNAME_MAX_LENGTH - len(suffix)] + suffix
        return candidate

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.username

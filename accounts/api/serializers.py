from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Language, User


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "roles"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.roles)


class MeSerializer(UserSerializer):
    """The signed-in user: everything ``UserSerializer`` shows, plus their own language (writable)."""

    language = serializers.ChoiceField(
        choices=[("", _("Not set (the browser decides)")), *Language.choices],
        allow_blank=True,
        required=False,
        help_text="The user's language: en, de, or \"\" to follow the browser's Accept-Language.",
        error_messages={"invalid_choice": _("Unknown language “{input}”: choose en or de, or leave it empty.")},
    )

    class Meta(UserSerializer.Meta):
        fields = [*UserSerializer.Meta.fields, "language"]
        read_only_fields = UserSerializer.Meta.fields

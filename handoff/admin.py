"""The admin shows offers and reviews read-only: every change goes through the services.

The services lock the row, check the state machine, log the activity and
notify; an admin form saving the model directly would skip all of that, so
superusers look here and act in the portal (or the API).
"""

from __future__ import annotations

from django.contrib import admin

from handoff.models import Commitment, FeasibilityReview, Offer, Risk


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CommitmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Commitment
    extra = 0
    fields = ["text", "due", "feasibility", "feasibility_note"]
    readonly_fields = fields


class RiskInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Risk
    extra = 0
    fields = ["title", "category", "probability", "impact", "owner", "mitigation"]
    readonly_fields = fields


class ReviewInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FeasibilityReview
    extra = 0
    fields = ["reviewer", "status", "verdict", "effort_days", "duration_weeks", "requested_at", "completed_at"]
    readonly_fields = fields


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "client", "owner", "status", "value", "probability", "expected_close", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "client__name"]
    list_select_related = ["client", "owner"]
    # One COUNT per page, not two: the "(N total)" count is a second full scan at 100 000 offers.
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-created_at", "-id"]
    inlines = [CommitmentInline, RiskInline, ReviewInline]


@admin.register(FeasibilityReview)
class FeasibilityReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["offer", "reviewer", "requested_by", "status", "verdict", "requested_at", "completed_at"]
    list_filter = ["status", "verdict"]
    search_fields = ["offer__title", "reviewer__username", "reviewer__last_name"]
    list_select_related = ["offer", "reviewer", "requested_by"]
    show_full_result_count = False

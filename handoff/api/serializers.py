"""Serializers of offers, commitments, risks, feasibility reviews and handoffs (SPEC §4).

They check shapes, types and ranges (400 ``{field: [..]}``); the services
decide everything else. Money is a decimal string, dates ``YYYY-MM-DD``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from clients.models import Client
from core.api.fields import DecimalString
from handoff.coverage import ChangeKind, ReviewState, review_status
from handoff.models import (
    Commitment,
    Feasibility,
    FeasibilityReview,
    Handoff,
    HandoffSnapshot,
    HandoffStatus,
    Offer,
    Risk,
    RiskCategory,
    Verdict,
)
from handoff.services.handoffs import RETURN_REASON_MAX
from handoff.services.offers import MAX_OFFER_VALUE, offer_readiness
from handoff.services.reviews import (
    MAX_DURATION_WEEKS,
    MAX_EFFORT_DAYS,
    MAX_MARK_NOTE,
    MAX_MILESTONE_NAME,
    MAX_MILESTONES,
)
from handoff.sla import sla_state

OFFER_FIELDS = ["client", "title", "summary", "value", "probability", "expected_close", "desired_start", "desired_end"]


def _value_field(**kwargs) -> serializers.DecimalField:
    return DecimalString(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_OFFER_VALUE,
        allow_null=True,
        **kwargs,
    )


class ReadinessItemSerializer(serializers.Serializer):
    key = serializers.ChoiceField(
        choices=["review", "risks", "brief", "decision_maker", "commercials", "commitment"],
        help_text="`commitment`: one item per commitment added after the review and not yet marked by the PM.",
    )
    label = serializers.CharField()
    met = serializers.BooleanField()
    hint = serializers.CharField()
    url = serializers.CharField(help_text="The page where the item is fixed.")
    commitment = serializers.IntegerField(allow_null=True, help_text="The commitment a `commitment` item is about.")


class ReviewChangeSerializer(serializers.Serializer):
    """One difference between what the latest completed review covered and the offer now (SPEC §7.1)."""

    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    field = serializers.CharField(help_text="For `kind=field`: value, summary, desired_start or desired_end.")
    change = serializers.ChoiceField(choices=["changed", "added", "removed"])
    id = serializers.IntegerField(allow_null=True, help_text="The commitment's or risk's id.")
    before = serializers.JSONField(allow_null=True, help_text="The value (or item) the review covered.")
    after = serializers.JSONField(allow_null=True, help_text="The value (or item) now.")
    text = serializers.CharField(help_text="The change in words, as in `review_changes`.")


class NotReadyErrorSerializer(serializers.Serializer):
    """The 409 of ``send``: every unmet item, and what changed since the review when that is why."""

    detail = serializers.CharField()
    code = serializers.CharField()
    unmet = serializers.ListField(child=serializers.CharField(), required=False)
    review_state = serializers.ChoiceField(choices=ReviewState.CHOICES, required=False)
    review_changes = serializers.ListField(child=serializers.CharField(), required=False)
    review_change_details = ReviewChangeSerializer(many=True, required=False)
    unmarked_commitments = serializers.ListField(child=serializers.IntegerField(), required=False)


class OfferSerializer(serializers.ModelSerializer):
    """An offer as listed; ``version`` is what a PATCH must send back."""

    client_name = serializers.CharField(source="client.name", read_only=True)
    owner_name = serializers.CharField(source="owner.full_name", read_only=True)
    value = _value_field(required=False)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False, default=50)
    weighted_value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Offer
        fields = [
            "id",
            "client",
            "client_name",
            "title",
            "summary",
            "value",
            "probability",
            "weighted_value",
            "expected_close",
            "desired_start",
            "desired_end",
            "owner",
            "owner_name",
            "status",
            "version",
            "no_risks_signed_off_by",
            "no_risks_signed_off_at",
            "close_reason",
            "created_at",
            "updated_at",
            "sent_at",
            "closed_at",
        ]
        read_only_fields = [
            "owner",
            "status",
            "version",
            "no_risks_signed_off_by",
            "no_risks_signed_off_at",
            "close_reason",
            "created_at",
            "updated_at",
            "sent_at",
            "closed_at",
        ]
        extra_kwargs = {"client": {"queryset": Client.objects.only("id")}}


class OfferCommitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Commitment
        fields = ["id", "offer", "text", "due", "feasibility", "feasibility_note", "created_at"]
        read_only_fields = ["feasibility", "feasibility_note", "created_at"]
        extra_kwargs = {"offer": {"queryset": Offer.objects.only("id")}}


class OfferRiskSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    probability = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (rare) to 5 (almost certain)")
    impact = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (minor) to 5 (severe)")
    score = serializers.IntegerField(read_only=True, help_text="probability x impact, 1 to 25")
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = Risk
        fields = [
            "id",
            "offer",
            "title",
            "category",
            "probability",
            "impact",
            "score",
            "mitigation",
            "owner",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]
        extra_kwargs = {"offer": {"queryset": Offer.objects.only("id")}}


class OfferRiskUpdateSerializer(OfferRiskSerializer):
    """PATCH: any field but the offer."""

    class Meta(OfferRiskSerializer.Meta):
        read_only_fields = ["offer", "created_by", "created_at"]
        extra_kwargs: dict = {}


class CommitmentMarkSerializer(serializers.Serializer):
    commitment = serializers.IntegerField(help_text="A commitment of the reviewed offer.")
    mark = serializers.ChoiceField(choices=Feasibility.choices)
    note = serializers.CharField(max_length=MAX_MARK_NOTE, allow_blank=True, required=False, default="")


class CommitmentMarkOutSerializer(serializers.Serializer):
    commitment = serializers.IntegerField()
    text = serializers.CharField()
    mark = serializers.CharField(help_text="feasible | risky | infeasible, or empty when not marked")
    note = serializers.CharField()


class MilestoneSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_MILESTONE_NAME)
    due = serializers.DateField(allow_null=True, required=False, default=None)


class FeasibilityReviewSerializer(serializers.ModelSerializer):
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    reviewer_name = serializers.CharField(source="reviewer.full_name", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.full_name", read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    commitment_marks = serializers.SerializerMethodField(
        help_text="The offer's commitments with the marks they carry now (set by the latest completed review)."
    )

    class Meta:
        model = FeasibilityReview
        fields = [
            "id",
            "offer",
            "offer_title",
            "reviewer",
            "reviewer_name",
            "requested_by",
            "requested_by_name",
            "status",
            "verdict",
            "effort_days",
            "duration_weeks",
            "notes",
            "milestones",
            "commitment_marks",
            "requested_at",
            "completed_at",
            "covered_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CommitmentMarkOutSerializer(many=True))
    def get_commitment_marks(self, review: FeasibilityReview) -> list[dict]:
        if review.status != "completed":
            return []
        return CommitmentMarkOutSerializer(
            [
                {"commitment": c.pk, "text": c.text, "mark": c.feasibility, "note": c.feasibility_note}
                for c in review.offer.commitments.all()
            ],
            many=True,
        ).data


class OfferReviewSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = FeasibilityReview
        fields = ["id", "reviewer", "status", "verdict", "requested_at", "completed_at"]
        read_only_fields = fields


class OfferDetailSerializer(OfferSerializer):
    """One offer with its readiness checklist, commitments, risks and reviews."""

    ready = serializers.SerializerMethodField()
    readiness = serializers.SerializerMethodField()
    commitments = OfferCommitmentSerializer(many=True, read_only=True)
    risks = OfferRiskSerializer(many=True, read_only=True)
    reviews = OfferReviewSummarySerializer(many=True, read_only=True)

    review_state = serializers.SerializerMethodField(
        help_text="none | requested | current | stale: the latest completed review against the offer now."
    )
    review_changes = serializers.SerializerMethodField(
        help_text="When stale: what changed since the review, in words (“value 10,000 → 30,000”)."
    )
    review_change_details = serializers.SerializerMethodField(
        help_text="The same changes field by field and item by item."
    )

    class Meta(OfferSerializer.Meta):
        fields = [
            *OfferSerializer.Meta.fields,
            "ready",
            "readiness",
            "review_state",
            "review_changes",
            "review_change_details",
            "commitments",
            "risks",
            "reviews",
        ]

    def _items(self, offer: Offer):
        cache = getattr(offer, "_readiness_cache", None)
        if cache is None:
            cache = offer._readiness_cache = offer_readiness(offer=offer)
        return cache

    def get_ready(self, offer: Offer) -> bool:
        return all(item.met for item in self._items(offer))

    @extend_schema_field(ReadinessItemSerializer(many=True))
    def get_readiness(self, offer: Offer) -> list[dict]:
        return ReadinessItemSerializer(self._items(offer), many=True).data

    @extend_schema_field(serializers.ChoiceField(choices=ReviewState.CHOICES))
    def get_review_state(self, offer: Offer) -> str:
        return review_status(offer).state

    def get_review_changes(self, offer: Offer) -> list[str]:
        coverage = review_status(offer)
        return coverage.change_texts if coverage.state == ReviewState.STALE else []

    @extend_schema_field(ReviewChangeSerializer(many=True))
    def get_review_change_details(self, offer: Offer) -> list[dict]:
        coverage = review_status(offer)
        changes = coverage.changes if coverage.state == ReviewState.STALE else []
        return ReviewChangeSerializer([change.as_dict() for change in changes], many=True).data


class OfferUpdateSerializer(serializers.Serializer):
    """PATCH: any editable field, and the ``version`` the editor read (409 when someone saved since)."""

    # Validated whole, not partially: ``version`` is required (core.api.schema documents it so).
    partial_on_patch = False

    version = serializers.IntegerField(min_value=1, help_text="The offer's version as you read it.")
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=10000, allow_blank=True, required=False)
    value = _value_field(required=False)
    probability = serializers.IntegerField(min_value=0, max_value=100, required=False)
    expected_close = serializers.DateField(allow_null=True, required=False)
    desired_start = serializers.DateField(allow_null=True, required=False)
    desired_end = serializers.DateField(allow_null=True, required=False)


class ReviewRequestSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        help_text="A user with the pm role (GET /api/v1/users/?role=pm), never the offer's owner "
        "(four eyes: 400 on `reviewer`).",
    )


class ReviewConfirmSerializer(serializers.Serializer):
    commitments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=500,
        help_text="Ids of the offer's commitments you mark (those added since your review).",
    )


class ReviewCompleteSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    effort_days = DecimalString(
        max_digits=8, decimal_places=1, min_value=Decimal("0"), max_value=MAX_EFFORT_DAYS, help_text="Person-days."
    )
    duration_weeks = DecimalString(
        max_digits=6, decimal_places=1, min_value=Decimal("0"), max_value=MAX_DURATION_WEEKS, help_text="Weeks."
    )
    notes = serializers.CharField(
        max_length=10000,
        allow_blank=True,
        required=False,
        default="",
        help_text="Conditions and notes; required unless the verdict is feasible.",
    )
    milestones = MilestoneSerializer(many=True, required=False, max_length=MAX_MILESTONES)
    commitment_marks = CommitmentMarkSerializer(many=True, required=False)


# --- Handoffs -------------------------------------------------------------------------------
def project_id_of(handoff: Handoff) -> int | None:
    try:
        return handoff.project.pk
    except Handoff.project.RelatedObjectDoesNotExist:
        return None


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class SlaSerializer(serializers.Serializer):
    elapsed_working_days = serializers.FloatField()
    limit_working_days = serializers.IntegerField()
    deadline = serializers.DateTimeField()
    overdue = serializers.BooleanField()


class HandoffSerializer(serializers.ModelSerializer):
    offer_title = serializers.CharField(source="offer.title", read_only=True)
    client = serializers.IntegerField(source="offer.client_id", read_only=True)
    client_name = serializers.CharField(source="offer.client.name", read_only=True)
    rep = serializers.IntegerField(source="offer.owner_id", read_only=True)
    project = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Handoff
        fields = [
            "id",
            "offer",
            "offer_title",
            "client",
            "client_name",
            "rep",
            "pm",
            "status",
            "pending_since",
            "return_reason",
            "return_count",
            "decided_at",
            "accepted_at",
            "accepted_by",
            "project",
            "sla",
        ]
        read_only_fields = fields

    def get_project(self, handoff: Handoff) -> int | None:
        return project_id_of(handoff)

    @extend_schema_field(SlaSerializer(allow_null=True))
    def get_sla(self, handoff: Handoff) -> dict[str, Any] | None:
        if handoff.status != HandoffStatus.PENDING:
            return None
        state = sla_state(handoff.pending_since)
        return {
            "elapsed_working_days": round(state.elapsed_days, 2),
            "limit_working_days": state.limit_days,
            "deadline": state.deadline,
            "overdue": state.overdue,
        }


class SnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandoffSnapshot
        fields = ["id", "version", "created_at", "created_by", "data"]
        read_only_fields = fields


def _latest_snapshot(handoff: Handoff) -> HandoffSnapshot | None:
    """One query per handoff however many fields read it."""
    if not hasattr(handoff, "_latest_snapshot"):
        handoff._latest_snapshot = handoff.snapshots.order_by("-version").first()
    return handoff._latest_snapshot


class SoldDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.CharField(help_text="client or offer")
    title = serializers.CharField()
    file_name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    content_type = serializers.CharField()
    download_url = serializers.CharField()


class HandoffDetailSerializer(HandoffSerializer):
    snapshot = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(HandoffSerializer.Meta):
        fields = [*HandoffSerializer.Meta.fields, "snapshot", "documents"]
        read_only_fields = fields

    @extend_schema_field(SoldDocumentSerializer(many=True))
    def get_documents(self, handoff: Handoff) -> list[dict[str, Any]]:
        """The documents frozen into the latest snapshot: what was sold, with where to fetch the same bytes."""
        latest = _latest_snapshot(handoff)
        request = self.context.get("request")
        items = []
        for item in latest.data.get("documents", []) if latest else []:
            url = reverse("document-download", args=[item["id"]])
            items.append(
                {
                    **{key: item.get(key) for key in SoldDocumentSerializer().fields if key != "download_url"},
                    "download_url": request.build_absolute_uri(url) if request else url,
                }
            )
        return items

    @extend_schema_field(SnapshotSerializer(allow_null=True))
    def get_snapshot(self, handoff: Handoff) -> dict[str, Any] | None:
        latest = _latest_snapshot(handoff)
        return SnapshotSerializer(latest).data if latest else None


class SnapshotVersionSerializer(SnapshotSerializer):
    changes_from_previous = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta(SnapshotSerializer.Meta):
        fields = [*SnapshotSerializer.Meta.fields, "changes_from_previous"]
        read_only_fields = fields


class WinSerializer(serializers.Serializer):
    pm = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="A PM's user id, never the offer's owner (four eyes); default the reviewer",
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=RETURN_REASON_MAX, trim_whitespace=True)


class ReassignSerializer(serializers.Serializer):
    pm = serializers.IntegerField(help_text="The new PM's user id, never the offer's owner (four eyes)")

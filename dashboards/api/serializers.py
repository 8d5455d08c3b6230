"""The shape of GET /api/v1/dashboard/, for the OpenAPI schema (the view returns the snapshot's figures as they are)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

MONEY = {"max_digits": 18, "decimal_places": 2}


class MoneyCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    value = serializers.DecimalField(**MONEY)


class OpenPipelineSerializer(MoneyCountSerializer):
    weighted = serializers.DecimalField(**MONEY)


class WinRateSerializer(serializers.Serializer):
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True, help_text="won ÷ (won + lost) in percent; null when neither")
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    days = serializers.IntegerField(allow_null=True, help_text="90 when no period was chosen")


class MedianSerializer(serializers.Serializer):
    median_days = serializers.FloatField(allow_null=True)


class SalesCycleSerializer(MedianSerializer):
    offers = serializers.IntegerField()


class TimeToAcceptSerializer(MedianSerializer):
    handoffs = serializers.IntegerField()


class PipelineSerializer(serializers.Serializer):
    open = OpenPipelineSerializer()
    won_in_period = MoneyCountSerializer()
    lost_in_period = MoneyCountSerializer()
    win_rate = WinRateSerializer()
    sales_cycle = SalesCycleSerializer()


class PendingSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    on_time = serializers.IntegerField()
    due_soon = serializers.IntegerField()
    overdue = serializers.IntegerField()
    sla_working_days = serializers.IntegerField()


class ReturnRateSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    returned = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class HandoffsSerializer(serializers.Serializer):
    pending = PendingSerializer()
    time_to_accept = TimeToAcceptSerializer()
    return_rate = ReturnRateSerializer()
    returns_in_period = serializers.IntegerField()


class OpenChangeRequestsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    cost_impact = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Sum, may be negative")
    schedule_impact_days = serializers.IntegerField()


class OpenIssuesSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    critical = serializers.IntegerField()
    high = serializers.IntegerField()
    medium = serializers.IntegerField()
    low = serializers.IntegerField()


@extend_schema_serializer(component_name="DashboardPulse")
class PulseSerializer(serializers.Serializer):
    pulses = serializers.IntegerField(help_text="Pulses logged in the period")
    low_mood = serializers.IntegerField(help_text="Of those, with mood ≤ 2")
    latest_month_mood = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)


class DeliverySerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    running = serializers.IntegerField()
    running_at_risk = serializers.IntegerField()
    running_off_track = serializers.IntegerField()
    overdue_deliverables = serializers.IntegerField()
    open_change_requests = OpenChangeRequestsSerializer()
    open_issues = OpenIssuesSerializer()
    pulse = PulseSerializer()


class HeatCellSerializer(serializers.Serializer):
    probability = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()
    offer_risks = serializers.IntegerField()
    project_risks = serializers.IntegerField()
    total = serializers.IntegerField()
    heat = serializers.ChoiceField(choices=["low", "mid", "high"])


class RisksSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    on_offers = serializers.IntegerField()
    on_projects = serializers.IntegerField()
    high = serializers.IntegerField()
    grid = serializers.ListField(
        child=serializers.ListField(child=HeatCellSerializer()),
        help_text="Rows impact 5 → 1, columns probability 1 → 5",
    )


class AccuracySerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    estimated_days = serializers.DecimalField(max_digits=12, decimal_places=1)
    actual_days = serializers.DecimalField(max_digits=12, decimal_places=1)
    overrun_percent = serializers.FloatField(allow_null=True)
    mean_error_percent = serializers.FloatField(allow_null=True)


class FollowUpFunnelSerializer(serializers.Serializer):
    raised = serializers.IntegerField()
    raised_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    converted = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    open = serializers.IntegerField()
    conversion_percent = serializers.FloatField(allow_null=True)
    won = serializers.IntegerField()
    won_value = serializers.DecimalField(max_digits=16, decimal_places=2)


class LearningSerializer(serializers.Serializer):
    accuracy = AccuracySerializer(help_text="Over the projects with an actual effort (zero counts as not entered)")
    effort_missing = serializers.IntegerField(
        help_text="Completed projects with an estimate but no actual effort yet (table effort_missing)"
    )
    follow_ups = FollowUpFunnelSerializer()


class SectionsSerializer(serializers.Serializer):
    pipeline = PipelineSerializer()
    handoffs = HandoffsSerializer()
    delivery = DeliverySerializer()
    risks = RisksSerializer()
    learning = LearningSerializer()


class TableSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    rows = serializers.ListField(child=serializers.DictField(), help_text="The rows shown on the page")
    total = serializers.IntegerField(help_text="All rows (the CSV export has them all)")


class FiltersSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    rep_id = serializers.IntegerField(allow_null=True)
    pm_id = serializers.IntegerField(allow_null=True)
    client_id = serializers.IntegerField(allow_null=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    chosen = serializers.BooleanField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OptionsSerializer(serializers.Serializer):
    reps = PersonSerializer(many=True)
    pms = PersonSerializer(many=True)
    client = ClientRefSerializer(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    view = serializers.ChoiceField(choices=["manager", "sales", "pm"])
    as_of = serializers.DateTimeField(help_text="When the figures were computed (never more than 60 s ago)")
    filters = FiltersSerializer(help_text="The effective filters (a rep's and a PM's own are forced)")
    period = PeriodSerializer()
    sections = SectionsSerializer()
    tables = serializers.DictField(child=TableSerializer())
    options = OptionsSerializer()

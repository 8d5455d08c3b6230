# Project risks stay alive (SPEC §7.3): statuses, what was sold, who closed and why.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_sold_scores(apps, schema_editor):
    """Existing risks never changed after the accept (there was no way to): what was sold is the snapshot's
    score where the snapshot has the risk, else the risk's own. Closed rows get a reason so the new rule holds."""
    ProjectRisk = apps.get_model("projects", "ProjectRisk")
    for risk in ProjectRisk.objects.select_related("project__snapshot").iterator(chunk_size=500):
        sold = (risk.project.snapshot.data or {}).get("risks") or []
        match = next((item for item in sold if risk.source_id and item.get("id") == risk.source_id), None)
        match = match or next((item for item in sold if item.get("title") == risk.title), None)
        risk.sold_probability = (match or {}).get("probability") or risk.probability
        risk.sold_impact = (match or {}).get("impact") or risk.impact
        if risk.status == "closed" and not risk.closed_reason:
            risk.closed_reason = "Closed before reasons were recorded."
        risk.save(update_fields=["sold_probability", "sold_impact", "closed_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ('handoff', '0002_offer_list_indexes'),
        ('projects', '0003_after_handoff'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='projectrisk',
            name='closed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='closed_reason',
            field=models.TextField(blank=True, max_length=2000),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='sold_impact',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)]),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='sold_probability',
            field=models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)]),
        ),
        migrations.AddField(
            model_name='projectrisk',
            name='updated_at',
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AlterField(
            model_name='projectrisk',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('mitigated', 'Mitigated'), ('occurred', 'Occurred'), ('closed', 'Closed')], default='open', max_length=16),
        ),
        migrations.RunPython(fill_sold_scores, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='projectrisk',
            index=models.Index(fields=['project', 'status'], name='project_risk_project_idx'),
        ),
        migrations.AddConstraint(
            model_name='projectrisk',
            constraint=models.CheckConstraint(condition=models.Q(('sold_probability__isnull', True), models.Q(('sold_probability__gte', 1), ('sold_probability__lte', 5)), _connector='OR'), name='project_risk_sold_probability_range'),
        ),
        migrations.AddConstraint(
            model_name='projectrisk',
            constraint=models.CheckConstraint(condition=models.Q(('sold_impact__isnull', True), models.Q(('sold_impact__gte', 1), ('sold_impact__lte', 5)), _connector='OR'), name='project_risk_sold_impact_range'),
        ),
        migrations.AddConstraint(
            model_name='projectrisk',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'mitigated', 'occurred', 'closed'])), name='project_risk_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='projectrisk',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'closed'), _negated=True), models.Q(('closed_reason', ''), _negated=True), _connector='OR'), name='project_risk_closed_has_reason'),
        ),
    ]

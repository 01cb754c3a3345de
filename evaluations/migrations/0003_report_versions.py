from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0002_initial'),
        ('participants', '0001_initial'),
        ('projects', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='nationalreport',
            name='is_current',
            field=models.BooleanField(db_index=True, default=False, help_text='The newest finished version for its project, year and scope.'),
        ),
        migrations.AddField(
            model_name='nationalreport',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='nationalreport',
            constraint=models.UniqueConstraint(condition=models.Q(('hub__isnull', True), ('is_current', True)), fields=('project', 'academic_year'), name='one_current_national_report', violation_error_message='There is already a current national report.'),
        ),
        migrations.AddConstraint(
            model_name='nationalreport',
            constraint=models.UniqueConstraint(condition=models.Q(('hub__isnull', False), ('is_current', True)), fields=('project', 'academic_year', 'hub'), name='one_current_hub_report', violation_error_message='There is already a current report for this hub.'),
        ),
        migrations.AddConstraint(
            model_name='nationalreport',
            constraint=models.UniqueConstraint(condition=models.Q(('hub__isnull', True)), fields=('project', 'academic_year', 'version'), name='national_report_version_unique', violation_error_message='This version of the national report already exists.'),
        ),
        migrations.AddConstraint(
            model_name='nationalreport',
            constraint=models.UniqueConstraint(condition=models.Q(('hub__isnull', False)), fields=('project', 'academic_year', 'hub', 'version'), name='hub_report_version_unique', violation_error_message='This version of the hub report already exists.'),
        ),
        migrations.AddConstraint(
            model_name='nationalreport',
            constraint=models.CheckConstraint(condition=models.Q(('is_current', False), ('status', 'done'), _connector='OR'), name='current_report_is_done', violation_error_message='Only a finished report can be the current one.'),
        ),
    ]

from django.db import migrations


def mark(apps, schema_editor):
    AlertRule = apps.get_model("notifications", "AlertRule")
    Flow = apps.get_model("flows", "Flow")
    watched = AlertRule.objects.filter(enabled=True).values_list("flow_id", flat=True)
    Flow.objects.filter(pk__in=list(watched)).update(watched_by_alerts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("flows", "0005_flow_watched_by_alerts"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0006_credential_status"),
    ]

    operations = [
        migrations.AddField(
            model_name="credential",
            name="last_used_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]

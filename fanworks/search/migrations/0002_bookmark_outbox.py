from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="searchoutbox",
            name="work_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchoutbox",
            name="bookmark_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="searchoutbox",
            name="series_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]

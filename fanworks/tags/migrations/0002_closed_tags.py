from django.db import migrations

RATINGS = ["Not Rated", "General Audiences", "Teen And Up Audiences", "Mature", "Explicit"]
WARNINGS = [
    "Creator Chose Not To Use Archive Warnings",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "No Archive Warnings Apply",
    "Rape/Non-Con",
    "Underage Sex",
]
CATEGORIES = ["F/F", "F/M", "Gen", "M/M", "Multi", "Other"]


def seed_closed_tags(apps, schema_editor):
    """Ratings, warnings and categories are a closed, canonical set every archive starts with."""
    Tag = apps.get_model("tags", "Tag")
    for tag_type, names in (("rating", RATINGS), ("warning", WARNINGS), ("category", CATEGORIES)):
        for name in names:
            Tag.objects.get_or_create(name=name, defaults={"type": tag_type, "canonical": True})


class Migration(migrations.Migration):
    dependencies = [("tags", "0001_initial")]
    operations = [migrations.RunPython(seed_closed_tags, migrations.RunPython.noop)]

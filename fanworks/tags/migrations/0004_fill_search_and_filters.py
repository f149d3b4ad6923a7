import re
import unicodedata

from django.db import migrations

_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fill(apps, schema_editor):
    """Existing tags get their search words; existing works their filter rows."""
    Tag = apps.get_model("tags", "Tag")
    TagWord = apps.get_model("tags", "TagWord")
    WorkFilter = apps.get_model("tags", "WorkFilter")
    WorkTag = apps.get_model("works", "WorkTag")
    for tag in Tag.objects.all().iterator():
        tag.search_name = _fold(tag.name)
        tag.save(update_fields=["search_name"])
        words = dict.fromkeys(_WORD.findall(tag.search_name))
        TagWord.objects.bulk_create(
            [TagWord(tag_id=tag.pk, word=w) for w in words], ignore_conflicts=True
        )
    canonical = dict(
        Tag.objects.filter(canonical=True).values_list("pk", "pk")
    ) | dict(Tag.objects.filter(synonym_of__isnull=False).values_list("pk", "synonym_of_id"))
    rows = {}
    for work_id, tag_id in WorkTag.objects.values_list("work_id", "tag_id").iterator():
        if tag_id in canonical:
            rows[(work_id, canonical[tag_id])] = None
    WorkFilter.objects.bulk_create(
        [WorkFilter(work_id=w, tag_id=t, inherited=False) for w, t in rows],
        batch_size=2000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("tags", "0003_tag_graph"), ("works", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

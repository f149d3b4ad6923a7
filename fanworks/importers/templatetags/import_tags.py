from django import template

from fanworks.importers.queries import ImportedByline, imported_byline
from fanworks.works.models import Work

register = template.Library()


@register.simple_tag
def archived_byline(work: Work) -> ImportedByline | None:
    return imported_byline(work)

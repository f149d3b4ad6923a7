"""The work page's download menu, in AO3's markup (`li.download > ul.expandable.secondary`)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.downloads.content import file_name
from fanworks.downloads.renderers import available_formats
from fanworks.works.models import Work

register = template.Library()


@register.simple_tag
def download_menu(work: Work) -> SafeString:
    """Root-relative links (FanFicFare reads the work id from the first one) with AO3's
    `updated_at` stamp, which ao3-api reads as the work's edit date."""
    name = file_name(work.pk, work.title)
    stamp = int(work.updated_at.timestamp())
    items = format_html_join(
        "",
        '<li><a href="/downloads/{}/{}.{}?updated_at={}">{}</a></li>',
        ((work.pk, name, fmt, stamp, fmt.upper()) for fmt in available_formats()),
    )
    return format_html(
        '<li class="download" aria-haspopup="true"><a href="#download-formats">Download</a>'
        '<ul class="expandable secondary" id="download-formats">{}</ul></li>',
        items,
    )

"""Tags printing the search forms built in Python (see fanworks/search/form_html.py).

``{% filter_sidebar %}`` prints what ``{% include "search/_filters.html" %}`` printed and
``{% edit_search_form %}`` what ``{% include "search/_edit_search.html" %}`` printed, from the
same context values, in a fraction of the time.
"""

from django import template
from django.template import Context
from django.utils.safestring import SafeString

from fanworks.search.form_html import edit_search_html, filters_html

register = template.Library()


@register.simple_tag(takes_context=True)
def filter_sidebar(context: Context) -> SafeString:
    return filters_html(context)


@register.simple_tag(takes_context=True)
def edit_search_form(context: Context) -> SafeString:
    return edit_search_html(context)

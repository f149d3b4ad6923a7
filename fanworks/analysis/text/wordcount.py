"""Word counts the way AO3 readers expect them.

Scripts written without spaces between words (Chinese, Japanese, Thai) and Korean are counted
one character at a time; everything else is counted in whitespace-separated words, ignoring
tokens that hold no letter or digit (a lone dash is not a word).
"""

import html
import re

_CHARACTER_COUNTED = (
    "\u0e00-\u0e7f"  # Thai
    "\u3040-\u309f"  # Hiragana
    "\u30a0-\u30ff"  # Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\u1100-\u11ff"  # Hangul jamo
    "\uac00-\ud7af"  # Hangul syllables
)
_TOKEN = re.compile(rf"[{_CHARACTER_COUNTED}]|[^\s{_CHARACTER_COUNTED}]+")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|td|th|dt|dd)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, keeping block boundaries as whitespace."""
    spaced = _BLOCK_END.sub(" ", fragment)
    return html.unescape(_TAG.sub("", spaced))


def count_words(text: str) -> int:
    """Count words in plain text."""
    return sum(1 for token in _TOKEN.findall(text) if any(ch.isalnum() for ch in token))


def count_words_in_html(fragment: str) -> int:
    return count_words(html_to_text(fragment))

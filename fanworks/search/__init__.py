"""Work search. ``parser`` turns AO3's query syntax into a typed AST (pure Python, no Django), which
the tantivy and SQL backends both consume."""

from fanworks.search.parser import (
    And,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Range,
    Sort,
    Term,
    parse,
    positive_leaves,
)

__all__ = [
    "And",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Range",
    "Sort",
    "Term",
    "parse",
    "positive_leaves",
]

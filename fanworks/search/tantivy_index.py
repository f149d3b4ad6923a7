"""The tantivy index of works: schema, the outbox indexer and the search backend.

Each app server keeps its own index directory. `Indexer.catch_up()` applies outbox rows after the
last id it applied, in batches, and writes that id to ``state.json`` in the index directory after
each commit, so a replica that restarts continues where it stopped. Applying a work twice is
harmless: its document is deleted by id and rebuilt from the database.
"""

import json
import os
import re
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from fanworks.search.documents import FACET_TYPES, TAG_TEXT_TYPES, work_documents
from fanworks.search.models import SearchOutbox
from fanworks.search.parser import And, Node, Not, Or, Phrase, Term
from fanworks.search.query import (
    ZERO_STATS,
    SearchResult,
    WorkSearch,
    integer_bounds,
    top_facets,
)
from fanworks.works.models import Work

STATE_FILE = "state.json"
SCHEMA_VERSION = 1
BATCH_SIZE = 500
TEXT_FIELDS = ["title", "summary", "notes", "tags", "creators", "text"] + [
    f"{t}_names" for t in TAG_TEXT_TYPES
]
DEFAULT_TEXT_FIELDS = ["title", "summary", "notes", "tags", "creators", "text"]
FIELD_FOR = {
    "title": ["title"],
    "summary": ["summary"],
    "notes": ["notes"],
    "creator": ["creators"],
    "tag": ["tags"],
    "text": ["text"],
    **{t: [f"{t}_names"] for t in TAG_TEXT_TYPES},
}
# Sort keys are (value << 32 | work id), so ties break by id as they do in SQL.
SORT_FIELDS = {"updated": "sort_updated", "posted": "sort_posted", "words": "sort_words"}


UNSIGNED_FIELDS = frozenset(
    [
        "id",
        "filter_ids",
        "pseud_ids",
        "words",
        "chapters",
        "sort_updated",
        "sort_posted",
        "sort_words",
        *FACET_TYPES.values(),
    ]
)


def build_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    b.add_unsigned_field("filter_ids", indexed=True)
    for name in FACET_TYPES.values():
        b.add_unsigned_field(name, fast=True)
    b.add_unsigned_field("pseud_ids", indexed=True)
    for name in ("words", "chapters", "sort_updated", "sort_posted", "sort_words"):
        b.add_unsigned_field(name, indexed=True, fast=True)
    b.add_integer_field("posted_at", indexed=True, fast=True)
    b.add_integer_field("revised_at", indexed=True, fast=True)
    for name in ("complete", "posted", "restricted", "hidden"):
        b.add_boolean_field(name, indexed=True, fast=True)
    b.add_text_field("language", tokenizer_name="raw")
    for name in TEXT_FIELDS:
        b.add_text_field(name, tokenizer_name="en_stem")
    return b.build()


def _to_tantivy(doc: dict[str, Any]) -> tantivy.Document:
    pk = doc["id"]
    values: dict[str, Any] = {
        "id": pk,
        "filter_ids": doc["filter_ids"],
        "pseud_ids": doc["pseud_ids"],
        "words": doc["words"],
        "chapters": doc["chapters"],
        "sort_updated": (max(doc["revised_at"], 0) << 32) | pk,
        "sort_posted": (max(doc["posted_at"], 0) << 32) | pk,
        "sort_words": (doc["words"] << 32) | pk,
        "posted_at": doc["posted_at"],
        "revised_at": doc["revised_at"],
        "complete": doc["complete"],
        "posted": doc["posted"],
        "restricted": doc["restricted"],
        "hidden": doc["hidden"],
        "language": doc["language"],
        "title": doc["title"],
        "summary": doc["summary"],
        "notes": doc["notes"],
        "tags": " \n ".join(doc["tag_names"]),
        "creators": " \n ".join(doc["creators"]),
        "text": "\n\n".join(doc["text"]),
    }
    for name in FACET_TYPES.values():
        values[name] = doc[name]
    for t in TAG_TEXT_TYPES:
        values[f"{t}_names"] = " \n ".join(doc[f"{t}_names"])
    out = tantivy.Document()
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if name in UNSIGNED_FIELDS:
                out.add_unsigned(name, item)
            elif name in ("posted_at", "revised_at"):
                out.add_integer(name, item)
            elif isinstance(item, bool):
                out.add_boolean(name, item)
            else:
                out.add_text(name, item)
    return out


class TantivyIndex:
    """One index directory: opening, writing documents, remembering the outbox position."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or settings.SEARCH_INDEX_DIR)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        state = self.read_state()
        if state.get("schema") not in (None, SCHEMA_VERSION):
            raise RuntimeError(f"{self.path} holds another index version; run reindex")
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)

    def read_state(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.path / STATE_FILE).read_text()))
        except FileNotFoundError:
            return {}

    def last_applied(self) -> int:
        return int(self.read_state().get("last_outbox_id", 0))

    def write_state(self, last_outbox_id: int) -> None:
        tmp = self.path / (STATE_FILE + ".tmp")
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "last_outbox_id": last_outbox_id}))
        os.replace(tmp, self.path / STATE_FILE)

    def apply(self, work_ids: list[int], last_outbox_id: int) -> None:
        """Rewrite these works' documents, commit, then record the outbox position."""
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        try:
            # By query, not by term: the query knows "id" is unsigned.
            writer.delete_documents_by_query(
                tantivy.Query.term_set_query(self.schema, "id", list(work_ids))
            )
            for doc in work_documents(work_ids):
                if not doc["deleted"]:
                    writer.add_document(_to_tantivy(doc))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        self.write_state(last_outbox_id)
        self.index.reload()

    def catch_up(self, batch_size: int = BATCH_SIZE) -> int:
        """Apply every outbox row after the last one applied. Returns the rows applied."""
        done = 0
        while True:
            after = self.last_applied()
            rows = list(
                SearchOutbox.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "work_id")[:batch_size]
            )
            if not rows:
                return done
            self.apply(sorted({w for _, w in rows}), rows[-1][0])
            done += len(rows)

    def rebuild(self, batch_size: int = BATCH_SIZE, progress: Any = None) -> int:
        """Index every work from scratch. Returns the works indexed."""
        # The outbox position is taken first: changes made during the rebuild are applied again
        # by the next catch_up, which is harmless.
        position = SearchOutbox.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        writer.delete_all_documents()
        writer.commit()
        writer.wait_merging_threads()
        ids = list(Work.objects.filter(posted=True).order_by("pk").values_list("pk", flat=True))
        total = len(ids)
        for start in range(0, total, batch_size):
            writer = self.index.writer(heap_size=128_000_000, num_threads=1)
            for doc in work_documents(ids[start : start + batch_size]):
                if not doc["deleted"]:
                    writer.add_document(_to_tantivy(doc))
            writer.commit()
            writer.wait_merging_threads()
            if progress is not None:
                progress(min(start + batch_size, total), total)
        self.write_state(position)
        self.index.reload()
        return total


# ---------------------------------------------------------------------------------------------
# Queries

_QUOTES = re.compile(r"[\"\\“”„]")


class TantivyBackend:
    def __init__(self, index: TantivyIndex) -> None:
        self.idx = index
        self.schema = index.schema

    def _text(self, fields: list[str], text: str) -> tantivy.Query:
        cleaned = _QUOTES.sub(" ", text).strip()
        if not cleaned:
            return tantivy.Query.empty_query()
        return self.idx.index.parse_query(f'"{cleaned}"', fields)

    def _prefix(self, fields: list[str], text: str) -> tantivy.Query:
        pattern = re.escape(text.lower()) + ".*"
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.regex_query(self.schema, f, pattern))
                for f in fields
            ]
        )

    def node(self, node: Node) -> tantivy.Query:
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, Term | Phrase):
            if node.field == "language":
                return Q.term_query(self.schema, "language", node.text.lower())
            if node.field == "complete":
                return Q.all_query()
            fields = FIELD_FOR.get(node.field or "", DEFAULT_TEXT_FIELDS)
            if isinstance(node, Term) and node.prefix:
                return self._prefix(fields, node.text)
            return self._text(fields, node.text)
        if isinstance(node, And):
            return Q.boolean_query([(Occur.Must, self.node(c)) for c in node.children])
        if isinstance(node, Or):
            return Q.boolean_query([(Occur.Should, self.node(c)) for c in node.children])
        assert isinstance(node, Not)
        return Q.boolean_query(
            [(Occur.Must, Q.all_query()), (Occur.MustNot, self.node(node.child))]
        )

    def query(self, request: WorkSearch) -> tantivy.Query:
        Q, Occur = tantivy.Query, tantivy.Occur
        s = self.schema
        clauses = [
            (Occur.Must, Q.term_query(s, "posted", True)),
            (Occur.MustNot, Q.term_query(s, "hidden", True)),
        ]
        if not request.viewer_is_registered:
            clauses.append((Occur.MustNot, Q.term_query(s, "restricted", True)))
        for tag_id in request.include_filter_ids:
            clauses.append((Occur.Must, Q.term_query(s, "filter_ids", tag_id)))
        for tag_id in request.exclude_filter_ids:
            clauses.append((Occur.MustNot, Q.term_query(s, "filter_ids", tag_id)))
        for r in request.ranges:
            lo, hi = integer_bounds(r)
            if r.field in ZERO_STATS:
                if (lo is not None and lo > 0) or (hi is not None and hi < 0):
                    clauses.append((Occur.Must, Q.empty_query()))
                continue
            name = {"updated": "revised_at", "posted": "posted_at"}.get(r.field, r.field)
            if name in ("words", "chapters"):
                if hi is not None and hi < 0:
                    clauses.append((Occur.Must, Q.empty_query()))
                    continue
                lo = None if lo is None or lo <= 0 else lo
                kind = tantivy.FieldType.Unsigned
            else:
                kind = tantivy.FieldType.Integer
            if lo is None and hi is None:
                continue
            clauses.append((Occur.Must, Q.range_query(s, name, kind, lo, hi)))
        if request.language:
            clauses.append((Occur.Must, Q.term_query(s, "language", request.language)))
        if request.complete is not None:
            clauses.append((Occur.Must, Q.term_query(s, "complete", request.complete)))
        if request.text is not None:
            clauses.append((Occur.Must, self.node(request.text)))
        return Q.boolean_query(clauses)

    def search(self, request: WorkSearch) -> SearchResult:
        query = self.query(request)
        searcher = self.idx.index.searcher()
        start = (max(request.page, 1) - 1) * request.per_page
        order = tantivy.Order.Desc if request.descending else tantivy.Order.Asc
        found = searcher.search(
            query,
            limit=request.per_page,
            offset=start,
            count=True,
            order_by_field=SORT_FIELDS.get(request.sort, "id"),
            order=order,
        )
        ids = [searcher.doc(address)["id"][0] for _, address in found.hits]
        aggs = {
            name: {"terms": {"field": name, "size": 20, "segment_size": 1000}}
            for name in FACET_TYPES.values()
        }
        raw = searcher.aggregate(query, aggs)
        facets = {
            name: top_facets(
                {int(b["key"]): int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
            )
            for name in FACET_TYPES.values()
        }
        return SearchResult(work_ids=ids, total=int(getattr(found, "count", 0) or 0), facets=facets)

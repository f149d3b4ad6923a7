"""The tantivy index of works: schema, the outbox indexer and the search backend.

Each app server keeps its own index directory. `Indexer.catch_up()` applies outbox rows after the
last id it applied, in batches, and writes that id to ``state.json`` in the index directory after
each commit, so a replica that restarts continues where it stopped. Applying a work twice is
harmless: its document is deleted by id and rebuilt from the database.
"""

import json
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings

from fanworks.search import generations
from fanworks.search.bookmark_documents import (
    affected_bookmark_ids,
    bookmark_documents,
    work_signatures,
)
from fanworks.search.bookmark_index import (
    WORK_SIGNATURE,
    add_bookmark_fields,
    bookmark_tantivy,
    indexed_bookmark_ids,
)
from fanworks.search.documents import FACET_TYPES, TAG_TEXT_TYPES, work_documents
from fanworks.search.models import SearchOutbox
from fanworks.search.parser import And, Node, Not, Or, Phrase, Term
from fanworks.search.query import (
    STAT_FIELDS,
    SearchResult,
    WorkSearch,
    effective_sort,
    integer_bounds,
    top_facets,
    typed_tag_ids,
)

STATE_FILE = "state.json"
# How often, at most, a reader stats CURRENT to notice that a rebuild swapped generations.
REFRESH_SECONDS = 1.0
# 4: bookmark documents (bookmark_index.py).
SCHEMA_VERSION = 4
BATCH_SIZE = 500
# Outbox ids skipped over are looked for again for this long (see TantivyIndex.catch_up), and at
# most this many are remembered.
HOLE_SECONDS = 600.0
MAX_HOLES = 1_000
TEXT_FIELDS = ["title", "summary", "notes", "tags", "creators", "text"]
DEFAULT_TEXT_FIELDS = ["title", "summary", "notes", "tags", "creators", "text"]
FIELD_FOR = {
    "title": ["title"],
    "summary": ["summary"],
    "notes": ["notes"],
    "creator": ["creators"],
    "tag": ["tags"],
    "text": ["text"],
}
# Sort keys are (value << 32 | work id), so ties break by id as they do in SQL. Text keys
# are "key\0" + the zero-padded id: "\0" sorts before any character, so comparing the strings
# compares (key, id), as SQL's ORDER BY key, id does.
SORT_FIELDS = {
    "updated": "sort_updated",
    "posted": "sort_posted",
    "words": "sort_words",
    **{stat: f"sort_{stat}" for stat in STAT_FIELDS},
    "title": "sort_title",
    "creator": "sort_creator",
}
TEXT_SORT_FIELDS = ("sort_title", "sort_creator")
# AO3's boosts for a query on no particular field: a match in the title or a creator's name
# ranks above one in the summary, tags or (ours only) chapter text.
FIELD_BOOSTS = {"title": 7.0, "creators": 5.0}


UNSIGNED_FIELDS = frozenset(
    [
        "id",
        "filter_ids",
        "tag_ids",
        "pseud_ids",
        "words",
        "chapters",
        "sort_updated",
        "sort_posted",
        "sort_words",
        *STAT_FIELDS,
        *(f"sort_{stat}" for stat in STAT_FIELDS),
        *FACET_TYPES.values(),
    ]
)


def build_schema(*, chapter_text_analyzer: str = "en_stem") -> tantivy.Schema:
    """The index's fields. `chapter_text_analyzer` is for bench/index_cost.py, which measures
    what stemming chapter text costs a build."""
    b = tantivy.SchemaBuilder()
    b.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    b.add_unsigned_field("filter_ids", indexed=True)
    # Own tags and filters, for the per-type fields (`fandom:marvel`, see query.typed_tag_ids).
    b.add_unsigned_field("tag_ids", indexed=True)
    for name in FACET_TYPES.values():
        b.add_unsigned_field(name, fast=True)
    b.add_unsigned_field("pseud_ids", indexed=True)
    for name in ("words", "chapters", "sort_updated", "sort_posted", "sort_words"):
        b.add_unsigned_field(name, indexed=True, fast=True)
    for stat in STAT_FIELDS:
        b.add_unsigned_field(stat, indexed=True, fast=True)
        b.add_unsigned_field(f"sort_{stat}", fast=True)
    for name in TEXT_SORT_FIELDS:
        b.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("posted_at", indexed=True, fast=True)
    b.add_integer_field("revised_at", indexed=True, fast=True)
    for name in ("complete", "posted", "restricted", "hidden", "crossover"):
        b.add_boolean_field(name, indexed=True, fast=True)
    b.add_text_field("language", tokenizer_name="raw")
    for name in TEXT_FIELDS:
        b.add_text_field(
            name, tokenizer_name=chapter_text_analyzer if name == "text" else "en_stem"
        )
    add_bookmark_fields(b)
    return b.build()


def tantivy_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The index fields of a document (see documents.py), by name: a value or a list of them."""
    pk = doc["id"]
    values: dict[str, Any] = {
        "id": pk,
        "filter_ids": doc["filter_ids"],
        "tag_ids": doc["tag_ids"],
        "pseud_ids": doc["pseud_ids"],
        "words": doc["words"],
        "chapters": doc["chapters"],
        "sort_updated": (max(doc["revised_at"], 0) << 32) | pk,
        "sort_posted": (max(doc["posted_at"], 0) << 32) | pk,
        "sort_words": (doc["words"] << 32) | pk,
        **{stat: doc[stat] for stat in STAT_FIELDS},
        **{f"sort_{stat}": (doc[stat] << 32) | pk for stat in STAT_FIELDS},
        "sort_title": f"{doc['title_sort']}\0{pk:010d}",
        "sort_creator": f"{doc['creator_sort']}\0{pk:010d}",
        "crossover": doc["crossover"],
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
    return values


def tantivy_json(doc: dict[str, Any]) -> str:
    """The document as one line of JSON for IndexWriter.add_json: the same fields and values
    as `_to_tantivy`, in a form a build's worker processes can hand to the writer's process
    cheaply (the schema gives each JSON number and boolean its field's type)."""
    return json.dumps(tantivy_values(doc), ensure_ascii=False, separators=(",", ":"))


def _to_tantivy(doc: dict[str, Any]) -> tantivy.Document:
    out = tantivy.Document()
    for name, value in tantivy_values(doc).items():
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
    """The live generation of one index directory (see generations.py): opening it, following
    a swap to a new generation, writing documents and remembering the outbox position.

    `ready` is False while the directory has no generation of this SCHEMA_VERSION; `index` is
    then an empty in-memory index, so a query finds nothing rather than failing, and the
    server answers from SQL until a build makes one current (indexer.run_round).
    """

    def __init__(self, path: Path | None = None, *, create: bool = True) -> None:
        """Open the directory's current generation. With `create`, a directory that has none
        yet gets an empty generation at outbox position 0, which `catch_up` then fills from
        the whole outbox; servers open with `create=False` and build instead."""
        self.path = Path(path or settings.SEARCH_INDEX_DIR)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.generation: str | None = None
        self.index = tantivy.Index(self.schema)
        self._pinned = False
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._refresh_lock = threading.Lock()
        self.refresh(force=True)
        if create and self.generation is None and generations.current_generation(self.path) is None:
            self._start_empty()

    @classmethod
    def pinned(cls, path: Path, generation: str) -> "TantivyIndex":
        """This generation of `path`, whether current or not, never following CURRENT (the
        builder writes a new generation through this before it becomes current)."""
        self = cls.__new__(cls)
        self.path = Path(path)
        self.schema = build_schema()
        self.generation = generation
        self.index = tantivy.Index(self.schema, path=str(self.path / generation), reuse=True)
        self._pinned = True
        self._stamp = None
        self._checked = 0.0
        self._refresh_lock = threading.Lock()
        return self

    @property
    def ready(self) -> bool:
        return self.generation is not None

    @property
    def generation_path(self) -> Path | None:
        return None if self.generation is None else self.path / self.generation

    def _start_empty(self) -> None:
        # Under the build lock, so two processes opening a new directory at once end up with
        # one generation; if a build holds the lock, its result will do.
        with generations.build_lock(self.path, wait=False) as held:
            if not held or generations.current_generation(self.path) is not None:
                return
            generations.remove_other_generations(self.path, keep=None)
            gen = generations.new_generation(self.path)
            tantivy.Index(self.schema, path=str(gen), reuse=False)
            write_state(gen, 0)
            generations.set_current(self.path, gen.name)
        self.refresh(force=True)

    def refresh(self, *, force: bool = False) -> bool:
        """Switch to the current generation if CURRENT changed. Returns True when it switched.

        Costs one stat, and without `force` at most one per REFRESH_SECONDS, so the search
        path can call it on every request.
        """
        if self._pinned:
            return False
        now = time.monotonic()
        if not force and now - self._checked < REFRESH_SECONDS:
            return False
        with self._refresh_lock:
            self._checked = now
            # Stat before reading: if CURRENT is replaced in between, the next call sees a
            # new stamp and reads again.
            stamp = generations.pointer_stamp(self.path)
            if stamp == self._stamp and not force:
                return False
            self._stamp = stamp
            name = generations.current_generation(self.path)
            if name == self.generation:
                return False
            index = None
            if name is not None and read_state(self.path / name).get("schema") == SCHEMA_VERSION:
                try:
                    index = tantivy.Index(self.schema, path=str(self.path / name), reuse=True)
                except ValueError:
                    # Replaced and removed since we read CURRENT: look again next time.
                    self._stamp = None
            if index is None:
                self.generation, self.index = None, tantivy.Index(self.schema)
            else:
                self.generation, self.index = name, index
            return True

    def reload(self) -> None:
        """Let the next searcher see what was committed to this generation since."""
        if self.generation is None:
            return
        try:
            self.index.reload()
        except ValueError:
            # The generation was replaced and removed; refresh() opens the new one.
            self.refresh(force=True)

    def read_state(self) -> dict[str, Any]:
        path = self.generation_path
        return {} if path is None else read_state(path)

    def last_applied(self) -> int:
        return int(self.read_state().get("last_outbox_id", 0))

    def write_state(self, last_outbox_id: int, holes: dict[int, float] | None = None) -> None:
        path = self.generation_path
        if path is None:
            raise RuntimeError(f"{self.path} has no index of version {SCHEMA_VERSION} yet")
        write_state(path, last_outbox_id, holes)

    def apply(
        self,
        work_ids: list[int],
        last_outbox_id: int,
        holes: dict[int, float] | None = None,
        *,
        bookmark_ids: list[int] | None = None,
        series_ids: list[int] | None = None,
    ) -> None:
        """Rewrite these works' documents and those of the bookmarks that changed or take
        something from them (see `_bookmarks_to_rewrite`), commit, then record the outbox
        position (and the ids below it still awaited, see `catch_up`)."""
        if self.generation is None:
            raise RuntimeError(f"{self.path} has no index of version {SCHEMA_VERSION} yet")
        signatures = work_signatures(work_ids)
        rewrite = self._bookmarks_to_rewrite(
            work_ids, signatures, bookmark_ids or [], series_ids or []
        )
        writer = self.index.writer(heap_size=64_000_000, num_threads=1)
        try:
            # By query, not by term: the query knows "id" is unsigned.
            writer.delete_documents_by_query(
                tantivy.Query.term_set_query(self.schema, "id", list(work_ids))
            )
            for doc in work_documents(work_ids):
                if not doc["deleted"]:
                    document = _to_tantivy(doc)
                    document.add_unsigned(WORK_SIGNATURE, signatures.get(doc["id"], 0))
                    writer.add_document(document)
            if rewrite:
                writer.delete_documents_by_query(
                    tantivy.Query.term_set_query(self.schema, "bm_id", sorted(rewrite))
                )
                docs, _ = bookmark_documents(rewrite)
                for bookmark_doc in docs:
                    writer.add_document(bookmark_tantivy(bookmark_doc))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        self.write_state(last_outbox_id, holes)
        self.index.reload()

    def _bookmarks_to_rewrite(
        self,
        work_ids: list[int],
        signatures: dict[int, int],
        bookmark_ids: list[int],
        series_ids: list[int],
    ) -> set[int]:
        """The bookmarks whose documents must be rewritten: those changed, those of these
        series, and those of the works (or of series they are part of) whose bookmark-relevant
        data changed since their document was written (a kudos or a hit changes none of it, so
        a popular work's bookmarks are not rewritten for each). Found in the database and in
        the index, which still holds the bookmarks of a deleted work or series."""
        # A work with no signature (deleted, or a draft) always counts as changed: its
        # bookmarks may have documents that must go.
        changed = [
            pk
            for pk in work_ids
            if (new := signatures.get(pk, 0)) == 0 or new != self._signature(pk)
        ]
        found = set(bookmark_ids)
        if changed or series_ids:
            found |= affected_bookmark_ids(changed, series_ids)
            found |= indexed_bookmark_ids(self.index, self.schema, changed, series_ids)
        return found

    def _signature(self, work_id: int) -> int:
        """The bookmark signature on the work's document (0 when it has none)."""
        Q = tantivy.Query
        query = Q.boolean_query(
            [
                (tantivy.Occur.Must, Q.term_query(self.schema, "id", work_id)),
                (tantivy.Occur.Must, Q.term_query(self.schema, "posted", True)),
            ]
        )
        searcher = self.index.searcher()
        hits = searcher.search(query, limit=1, count=False).hits
        if not hits:
            return 0
        values = searcher.fast_field_values(WORK_SIGNATURE, [hits[0][1]])
        return int(values[0] or 0) if values else 0

    def catch_up(self, batch_size: int = BATCH_SIZE) -> int:
        """Apply every outbox row after the last one applied. Returns the rows applied.

        Outbox ids are handed out when a row is inserted, not when its transaction commits: on
        PostgreSQL a slow transaction can commit id 41 after id 42 was read and applied. So the
        ids skipped over are remembered as holes and looked for again on every round, until
        they turn up or HOLE_SECONDS pass (a rolled-back transaction leaves a hole for good).
        """
        done = 0
        while True:
            state = self.read_state()
            after = int(state.get("last_outbox_id", 0))
            now = time.time()
            holes = {
                int(pk): seen
                for pk, seen in state.get("holes", {}).items()
                if now - seen < HOLE_SECONDS
            }
            late: list[tuple[int, int | None, int | None, int | None]] = []
            if holes:
                late = list(
                    SearchOutbox.objects.filter(pk__in=list(holes)).values_list(
                        "pk", "work_id", "bookmark_id", "series_id"
                    )
                )
                for pk, *_ in late:
                    holes.pop(pk, None)
            rows = list(
                SearchOutbox.objects.filter(pk__gt=after)
                .order_by("pk")
                .values_list("pk", "work_id", "bookmark_id", "series_id")[:batch_size]
            )
            if not rows and not late:
                if len(holes) != len(state.get("holes", {})):
                    self.write_state(after, holes)  # forget the expired ones
                return done
            # A new index (position 0) has nothing to wait for below the first row it sees:
            # those ids belong to transactions long gone (a sequence never restarts).
            expected = after + 1 if after else (rows[0][0] if rows else 1)
            for pk, *_ in rows:
                for missing in range(max(expected, pk - MAX_HOLES), pk):
                    holes[missing] = now
                expected = pk + 1
            if len(holes) > MAX_HOLES:
                holes = dict(sorted(holes.items())[-MAX_HOLES:])
            position = rows[-1][0] if rows else after
            changes = rows + late
            self.apply(
                sorted({w for _, w, _, _ in changes if w is not None}),
                position,
                holes,
                bookmark_ids=sorted({b for _, _, b, _ in changes if b is not None}),
                series_ids=sorted({s for _, _, _, s in changes if s is not None}),
            )
            done += len(rows) + len(late)

    def rebuild(self, batch_size: int | None = None, progress: Any = None) -> int:
        """Build a new generation from the database and make it current (the live one keeps
        answering meanwhile; see index_build.py). Returns the works indexed."""
        from fanworks.search.index_build import build_generation

        result = build_generation(self.path, batch_size=batch_size, progress=progress)
        self.refresh(force=True)
        return result.works


def read_state(generation_path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads((generation_path / STATE_FILE).read_text()))
    except (FileNotFoundError, ValueError):
        return {}


def write_state(
    generation_path: Path, last_outbox_id: int, holes: dict[int, float] | None = None
) -> None:
    tmp = generation_path / (STATE_FILE + ".tmp")
    state: dict[str, Any] = {"schema": SCHEMA_VERSION, "last_outbox_id": last_outbox_id}
    if holes:
        state["holes"] = {str(pk): seen for pk, seen in holes.items()}
    tmp.write_text(json.dumps(state))
    os.replace(tmp, generation_path / STATE_FILE)


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
        boosts = {f: b for f, b in FIELD_BOOSTS.items() if f in fields and len(fields) > 1}
        return self.idx.index.parse_query(f'"{cleaned}"', fields, field_boosts=boosts)

    def _prefix(self, fields: list[str], text: str) -> tantivy.Query:
        Q = tantivy.Query
        pattern = re.escape(text.lower()) + ".*"
        clauses = []
        for f in fields:
            query = Q.regex_query(self.schema, f, pattern)
            if f in FIELD_BOOSTS and len(fields) > 1:
                query = Q.boost_query(query, FIELD_BOOSTS[f])
            clauses.append((tantivy.Occur.Should, query))
        return Q.boolean_query(clauses)

    def node(self, node: Node) -> tantivy.Query:
        Q, Occur = tantivy.Query, tantivy.Occur
        if isinstance(node, Term | Phrase):
            if node.field == "language":
                return Q.term_query(self.schema, "language", node.text.lower())
            if node.field == "complete":
                return Q.all_query()
            if node.field in TAG_TEXT_TYPES:
                prefix = isinstance(node, Term) and node.prefix
                tag_ids = typed_tag_ids(node.field, node.text, prefix=prefix)
                if not tag_ids:
                    return Q.empty_query()
                return Q.term_set_query(self.schema, "tag_ids", tag_ids)
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
        if request.exclude_pseud_ids:
            clauses.append(
                (Occur.MustNot, Q.term_set_query(s, "pseud_ids", list(request.exclude_pseud_ids)))
            )
        for r in request.ranges:
            lo, hi = integer_bounds(r)
            name = {"updated": "revised_at", "posted": "posted_at"}.get(r.field, r.field)
            if name in ("words", "chapters", *STAT_FIELDS):
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
        if request.crossover is not None:
            clauses.append((Occur.Must, Q.term_query(s, "crossover", request.crossover)))
        if request.text is None:
            return Q.boolean_query(clauses)
        # Filters score nothing, so a relevance sort ranks by the text query alone.
        return Q.boolean_query(
            [
                (Occur.Must, Q.const_score_query(Q.boolean_query(clauses), 0.0)),
                (Occur.Must, self.node(request.text)),
            ]
        )

    def search(self, request: WorkSearch, *, facets: bool = True) -> SearchResult:
        """The page's work ids, the exact count and, with `facets`, the top tags of each type
        (the costly part: a listing without a sidebar skips them)."""
        query = self.query(request)
        searcher = self.idx.index.searcher()
        start = (max(request.page, 1) - 1) * request.per_page
        sort = effective_sort(request)
        if sort == "relevance":
            # Best match first whatever the direction asked for, as a score has no "worst first".
            found = searcher.search(query, limit=request.per_page, offset=start, count=True)
        else:
            found = searcher.search(
                query,
                limit=request.per_page,
                offset=start,
                count=True,
                order_by_field=SORT_FIELDS[sort],
                order=tantivy.Order.Desc if request.descending else tantivy.Order.Asc,
            )
        # From the id column, not the stored documents.
        hits = searcher.fast_field_values("id", [a for _, a in found.hits])
        ids = [int(pk) for pk in hits if pk is not None]
        total = int(getattr(found, "count", 0) or 0)
        if not facets:
            return SearchResult(work_ids=ids, total=total, facets={})
        aggs = {
            name: {"terms": {"field": name, "size": 20, "segment_size": 1000}}
            for name in FACET_TYPES.values()
        }
        raw = searcher.aggregate(query, aggs)
        top = {
            name: top_facets(
                {int(b["key"]): int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", [])}
            )
            for name in FACET_TYPES.values()
        }
        return SearchResult(work_ids=ids, total=total, facets=top)

"""A build whose documents come from worker processes indexes exactly what one process does."""

from pathlib import Path

import pytest
from django.utils import timezone

from fanworks.core.testing import make_user, make_work
from fanworks.search.index_build import fill_generation
from fanworks.search.parser import parse
from fanworks.search.query import WorkSearch
from fanworks.search.tantivy_index import TantivyBackend, TantivyIndex

FREEFORMS = ["Orchard Work", "Cider Pressing", "Frost", "Beekeeping"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_processes_build_the_same_index_as_one_process(tmp_path: Path) -> None:
    # The workers read the database on connections of their own, so the works must be
    # committed: hence a transactional test.
    user = make_user()
    for n in range(23):
        make_work(
            user, title=f"Orchard {n}", freeforms=FREEFORMS[: 1 + n % 4], restricted=n % 5 == 0
        )
    make_work(user, title="Orchard draft", post=False)
    for name in ("single", "parallel"):
        (tmp_path / name).mkdir()
    assert fill_generation(tmp_path / "single", batch_size=4, progress=None, workers=0) == 23
    assert fill_generation(tmp_path / "parallel", batch_size=4, progress=None, workers=2) == 23

    def answer(name: str, query: str, sort: str) -> tuple[list[int], int, object]:
        backend = TantivyBackend(TantivyIndex.pinned(tmp_path, name))
        request = WorkSearch(
            text=parse(query, now=timezone.now()).root,
            sort=sort,
            per_page=100,
            viewer_is_registered=True,
        )
        result = backend.search(request)
        return result.work_ids, result.total, result.facets

    for query, sort in [("orchard", "title"), ("freeform:frost", "updated"), ("cider", "words")]:
        assert answer("single", query, sort) == answer("parallel", query, sort)
    assert answer("parallel", "orchard", "title")[1] == 23
    # One indexing thread: the build is one segment, which facet aggregations read fastest.
    assert TantivyIndex.pinned(tmp_path, "parallel").index.searcher().num_segments == 1

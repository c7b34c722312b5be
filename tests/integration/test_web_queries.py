"""Dashboard filters and keyset pages, in SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from storage.stats_queries import counts_query
from storage.submission_query import COUNT_CAP, Cursor, Filters, count_query, page_query
from storage.db import dialect_name
from tests.dbfixtures import db, db_url  # noqa: F401
from tests.webfixtures import T0, add_machine_translation, submission


async def _ids(db, filters: Filters, *, after=None, limit=100) -> list[int]:
    async with db.sessionmaker() as s:
        rows = (await s.execute(page_query(filters, dialect_name(db.engine), after=after, limit=limit))).scalars()
        return [r.id for r in rows]


async def _seed(db, *rows):
    async with db.sessionmaker.begin() as s:
        s.add_all(rows)
    return rows


async def test_each_filter_selects_in_sql(db):
    a, b, c, d, e = await _seed(
        db,
        submission(
            language="ar", answers={"topic": "housing", "idea": "سكن أفضل للشباب"}, tags=["housing", "follow up"]
        ),
        submission(flow_id="needs", source="workshop-malmo", answers={"topic": "school", "idea": "50% more_time"}),
        submission(status="shortlisted", created_at=T0 + timedelta(days=3)),
        submission(is_test=True),
        submission(language="uk", answers={"topic": "jobs", "idea": "Summer JOBS for youth"}),
    )
    f = Filters.from_query
    assert await _ids(db, f({"language": "ar"})[0]) == [a.id]
    assert await _ids(db, f({"topic": "housing"})[0]) == [a.id]
    assert await _ids(db, f({"tag": "Follow  Up"})[0]) == [a.id]
    assert await _ids(db, f({"tag": "follow"})[0]) == []
    assert await _ids(db, f({"flow": "needs"})[0]) == [b.id]
    assert await _ids(db, f({"source": "workshop-malmo"})[0]) == [b.id]
    assert await _ids(db, f({"status": "shortlisted"})[0]) == [c.id]
    assert await _ids(db, f({"date_from": "2025-03-04", "date_to": "2025-03-04"})[0]) == [c.id]
    assert await _ids(db, f({"q": "summer jobs"})[0]) == [e.id]
    assert await _ids(db, f({"q": "سكن"})[0]) == [a.id]
    assert await _ids(db, f({"q": "50%"})[0]) == [b.id]
    assert await _ids(db, f({"q": "e_t"})[0]) == [b.id]  # "_" is literal, not a wildcard
    assert d.id not in await _ids(db, Filters())
    assert d.id in await _ids(db, f({"tests": "1"})[0])


async def test_malformed_filters_are_dropped_with_a_reason():
    filters, errors = Filters.from_query({"status": "deleted", "date_from": "yesterday", "flow": "idea"})
    assert filters == Filters(flow="idea")
    assert len(errors) == 2


async def test_keyset_pages_put_urgent_first_then_newest_and_never_repeat(db):
    rows = [submission(created_at=T0 + timedelta(minutes=i % 4), urgent=(i % 5 == 0)) for i in range(23)]
    await _seed(db, *rows)
    expected = [r.id for r in sorted(rows, key=lambda r: (r.urgent, r.created_at, r.id), reverse=True)]
    seen, after = [], None
    while True:
        page = await _ids(db, Filters(), after=after, limit=5)
        if not page:
            break
        seen += page
        async with db.sessionmaker() as s:
            last = await s.get(type(rows[0]), page[-1])
            after = Cursor.decode(Cursor.of(last).encode())
    assert seen == expected


async def test_count_stops_at_the_cap(db):
    await _seed(db, *[submission() for _ in range(3)])
    async with db.sessionmaker() as s:
        assert (await s.execute(count_query(Filters(), dialect_name(db.engine)))).scalar_one() == 3
    assert COUNT_CAP >= 1000


async def test_statistics_group_by_topic_language_and_utc_day(db):
    late = T0.replace(hour=23, minute=30)  # 23:30 UTC is still 1 March, whatever the server's zone
    await _seed(
        db,
        submission(created_at=late, language="ar"),
        submission(created_at=late, language="ar"),
        submission(created_at=T0 + timedelta(days=1), answers={"topic": "housing"}),
    )
    got = {}
    async with db.sessionmaker() as s:
        for kind in ("topic", "language", "day"):
            got[kind] = (await s.execute(counts_query(kind, Filters(), dialect_name(db.engine)))).all()
    assert [tuple(r) for r in got["topic"]] == [("housing", 1), ("school", 2)]
    assert [tuple(r) for r in got["language"]] == [("ar", 2), ("en", 1)]
    assert [tuple(r) for r in got["day"]] == [("2025-03-01", 2), ("2025-03-02", 1)]


async def test_a_search_with_filters_finds_the_answers_text_or_a_translation_exactly(db):
    in_text, in_translation, other_language, neither = await _seed(
        db,
        submission(language="ar", answers={"idea": "A homework club on Fridays"}),
        submission(language="ar", answers={"idea": "نادي الواجبات"}),
        submission(language="so", answers={"idea": "homework club"}),
        submission(language="ar", answers={"idea": "Homework and a football club"}),  # both words, not the phrase
    )
    async with db.sessionmaker.begin() as s:
        await add_machine_translation(s, in_translation.id, "En läxklubb, homework club")
    dialect = dialect_name(db.engine)
    filters = Filters(q="Homework Club", language="ar")
    assert sorted(await _ids(db, filters)) == sorted([in_text.id, in_translation.id])
    async with db.sessionmaker() as s:
        assert (await s.execute(count_query(filters, dialect))).scalar_one() == 2
        assert (await s.execute(count_query(Filters(q="homework club"), dialect))).scalar_one() == 3
    assert other_language.id not in await _ids(db, filters) and neither.id not in await _ids(db, filters)


async def test_untranslated_per_language_counts_exactly_from_the_rollup(db):
    from storage.translations import untranslated_per_language

    ar1, ar2, _ti, _test_row, _so = await _seed(
        db,
        submission(language="ar"),
        submission(language="ar"),
        submission(language="ti"),
        submission(language="ti", is_test=True),  # test rows are left out
        submission(language="so"),
    )
    async with db.sessionmaker.begin() as s:
        await add_machine_translation(s, ar1.id, "a translated idea")
        await add_machine_translation(s, ar1.id, "the same idea again")  # counted once
    async with db.sessionmaker() as s:
        assert await untranslated_per_language(s) == [("ar", 1), ("so", 1), ("ti", 1)]
    async with db.sessionmaker.begin() as s:
        await add_machine_translation(s, ar2.id, "now both are")
    async with db.sessionmaker() as s:
        assert await untranslated_per_language(s) == [("so", 1), ("ti", 1)]

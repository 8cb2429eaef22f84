"""`archive-qa timeline` (archive_qa/qa_cli.py) on the timeline archive: text lines, --json, filters, no store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_qa.cli import main
from archive_qa.settings import Settings
from storage.factory import open_store

QUERY = "Marenvik lifting bridge"


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_is_a_line_per_story_with_its_sentence_below(timeline_store: Path, capsys) -> None:
    code, out, _ = _run(capsys, "timeline", QUERY, "--store", timeline_store, "--as-of", "2030-01-01")
    assert code == 0
    lines = out.splitlines()
    heads, sentences = lines[0::2], lines[1::2]
    assert len(heads) == len(sentences) == 5
    assert heads[0] == "2023-02-10  Marenvik unveils plan for a lifting bridge over the inner harbour  (AP)"
    assert heads[1].startswith("2023-06-05  ") and heads[1].endswith("  (Reuters, Xinhua)")
    assert heads[-1].startswith("undated     Marenvik bridge keepers train on the lifting span")
    assert [head[:10] for head in heads[:-1]] == sorted(head[:10] for head in heads[:-1])
    assert all(sentence.startswith(" " * 12) and sentence.strip() for sentence in sentences)
    assert "MARENVIK, February 10, 2023 — The city of Marenvik unveiled plans" in sentences[0]


def test_json_is_the_list_of_entries_and_filters_apply(timeline_store: Path, capsys) -> None:
    window = ["--since", "2023-06-01", "--until", "2023-12-31", "--source", "AFP", "--json"]
    code, out, _ = _run(capsys, "timeline", QUERY, "--store", timeline_store, *window)
    assert code == 0
    rows = json.loads(out)
    assert [(row["date"], row["sources"]) for row in rows] == [("2023-11-20", ["AFP"])]
    assert set(rows[0]) == {"date", "story_id", "title", "sources", "sentence", "article_ids"}
    code, out, _ = _run(capsys, "timeline", QUERY, "--store", timeline_store, "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_nothing_matching_says_so(timeline_store: Path, capsys) -> None:
    code, out, _ = _run(capsys, "timeline", "ice hockey championship", "--store", timeline_store)
    assert code == 0 and out == "No stories in the archive match 'ice hockey championship'.\n"
    code, out, _ = _run(capsys, "timeline", "ice hockey championship", "--store", timeline_store, "--json")
    assert code == 0 and json.loads(out) == []


def test_missing_or_empty_store_exits_2_with_the_fix(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-such-store"
    code, _, err = _run(capsys, "timeline", QUERY, "--store", missing)
    assert code == 2
    assert f"no archive at {missing}" in err and f"archive-qa ingest PATH --store {missing}" in err
    assert not missing.exists()
    empty = tmp_path / "empty"
    open_store(Settings(store=empty))
    code, _, err = _run(capsys, "timeline", QUERY, "--store", empty)
    assert code == 2 and "holds no articles" in err


def test_bad_limit_and_bad_date_are_refused(timeline_store: Path, capsys) -> None:
    code, _, err = _run(capsys, "timeline", QUERY, "--store", timeline_store, "--limit", "0")
    assert code == 2 and "--limit must be at least 1" in err
    with pytest.raises(SystemExit) as exited:  # argparse: usage error
        main(["timeline", QUERY, "--store", str(timeline_store), "--since", "last spring"])
    assert exited.value.code == 2
    assert "is not a date like" in capsys.readouterr().err

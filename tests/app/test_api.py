"""The named API endpoints, called with gradio_client against the running app: `ask` and `ingest`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from app_support import Server, gold_title

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ORSUND = """Orsund glassworks museum reopens two years after flood
ORSUND, October 8, 2024 — The Orsund glassworks museum reopened on Tuesday, two years after a spring flood filled \
its ground floor with half a metre of river water, with 1,150 visitors queuing on the first day.
Director Hedda Lyngstad said restorers had cleaned and re-mounted 2,600 pieces of nineteenth-century glass, and \
that the old furnace hall now stands on a raised concrete floor 80 centimetres above the former level.
The repairs cost 38 million crowns, most of it paid by the state's cultural heritage fund.
Agencies - NTB
"""


@pytest.fixture(scope="module")
def client(app_server: Server) -> Any:
    from gradio_client import Client

    return Client(app_server.url, verbose=False)


def test_ask_returns_answer_json_with_citations(client: Any, questions: dict, sample_archive: Path) -> None:
    question = questions["sample_05"]
    result = json.loads(client.predict(question=question["question"], answerer="extractive", api_name="/ask"))
    assert not result["abstained"]
    assert question["answer"][0] in result["answer"]
    titles = [c["title"] for c in result["citations"]]
    assert gold_title(sample_archive, question) in titles
    first = result["citations"][0]
    start, end = first["highlight"]
    assert 0 <= start < end <= len(first["passage"])
    assert {"question", "standalone_question", "related", "timings"} <= set(result)


def test_ask_honours_filters(client: Any) -> None:
    # Asked without a date, the rate is the newest report's (5.75%, March 2024): only the filters make it 6.00%.
    question = "What is the Bank of Caldora's key interest rate?"
    for limits in ({"as_of": "2023-06-30"}, {"as_of": "2024-06-30", "until": "2023-06-30"}):
        result = json.loads(client.predict(question=question, **limits, api_name="/ask"))
        assert not result["abstained"] and "6.00%" in result["answer"] and "5.75%" not in result["answer"], limits
        assert result["citations"], limits
        for citation in result["citations"]:
            assert citation["published"] == "2023-02-15"
            assert citation["title"] == "Bank of Caldora raises key rate to 6.00% as inflation climbs"
            assert citation["source"] == "Reuters" and citation["path"] == "005_e363323d239e62e1.txt"
            assert citation["n"] >= 1 and citation["chunk_id"].startswith(citation["article_id"] + "-")
            start, end = citation["highlight"]
            assert 0 <= start < end <= len(citation["passage"])
        assert any("6.00%" in c["passage"][slice(*c["highlight"])] for c in result["citations"])
    early = "To what level did the Bank of Caldora raise its benchmark policy rate in February 2023?"
    before = json.loads(client.predict(question=early, as_of="2022-12-31", api_name="/ask"))
    assert before["abstained"] and before["citations"] == []  # the rise is reported after that as-of date
    bad = pytest.raises(Exception, match="not a date")
    with bad:
        client.predict(question=early, since="last spring", api_name="/ask")


def test_ask_gives_one_citation_per_story_and_the_newest_report_of_a_changing_rate(client: Any) -> None:
    question = "What did the Bank of Caldora decide about interest rates?"
    result = json.loads(client.predict(question=question, as_of="2024-06-01", api_name="/ask"))
    cut = [c for c in result["citations"] if "5.75%" in c["passage"]]
    assert cut and {c["article_id"] for c in cut} == {cut[0]["article_id"]}  # one copy of the three outlets'
    assert [label.split(",")[0] for label in cut[0]["also_in"]] == ["AFP", "Reuters"]
    first_claim = result["dated_answer"].split("[", 1)[0]
    assert "20 Mar 2024" in first_claim or "March 20, 2024" in first_claim  # dated, by the claim or its dateline
    assert result["notes"][0].startswith("Earlier: 6.25%")


def test_ask_follow_up_with_history(client: Any) -> None:
    history = [
        {"role": "user", "content": "How many riders did Esterlund's extended tram Line 4 carry on its first day?"},
        {"role": "assistant", "content": "It carried 11,300 riders on its first day [1]."},
    ]
    result = json.loads(client.predict(question="What did it finally cost?", history=history, api_name="/ask"))
    assert result["standalone_question"] != result["question"]


def test_ingest_zip_then_ask(client: Any, tmp_path: Path) -> None:
    from gradio_client import handle_file

    bundle = tmp_path / "orsund.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("news/orsund-museum.txt", ORSUND)
        archive.writestr("news/photo.jpg", b"\xff\xd8 not an article")  # skipped, not an error
    slip = tmp_path / "evil.zip"
    with zipfile.ZipFile(slip, "w") as archive:
        archive.writestr("../evil.txt", "Title\nOSLO — Escaped.\n")
    wrong = tmp_path / "notes.exe"
    wrong.write_bytes(b"MZ")

    files = [handle_file(str(bundle)), handle_file(str(slip)), handle_file(str(wrong))]
    summary = json.loads(client.predict(files=files, api_name="/ingest"))
    assert summary["articles"]["new"] == 1, summary
    reasons = {Path(e["path"]).name: e["reason"] for e in summary["errors"]}
    assert "outside the archive" in reasons["evil.zip"]
    assert "unsupported file type" in reasons["notes.exe"]
    assert summary["index"]["articles"] >= 31

    question = "How many visitors came on the Orsund glassworks museum's first day back?"
    result = json.loads(client.predict(question=question, api_name="/ask"))
    assert "1,150" in result["answer"]
    assert result["citations"][0]["title"] == ORSUND.splitlines()[0]


SKOGHOLT = """Skogholt footbridge reopens with a heated deck
SKOGHOLT, November 12, 2024 — The Skogholt footbridge reopened on Monday with a heated deck that keeps its 64 \
metres free of ice, after a winter in which 212 people slipped on the old planks, the municipality said.
Agencies - NTB
"""


def test_remove_endpoint_takes_a_file_out_of_the_index(client: Any, tmp_path: Path) -> None:
    from gradio_client import handle_file

    story = tmp_path / "skogholt-bridge.txt"
    story.write_text(SKOGHOLT, encoding="utf-8")
    summary = json.loads(client.predict(files=[handle_file(str(story))], api_name="/ingest"))
    assert summary["stored_as"] == ["uploads/skogholt-bridge.txt"], summary
    question = "How many people slipped on the old Skogholt footbridge planks?"
    assert "212" in json.loads(client.predict(question=question, api_name="/ask"))["answer"]

    removed = json.loads(client.predict(file="uploads/skogholt-bridge.txt", api_name="/remove"))
    assert removed["articles"] == {"removed": 1, "kept": 0}, removed
    assert removed["index"]["articles"] == summary["index"]["articles"] - 1
    after = json.loads(client.predict(question=question, api_name="/ask"))
    assert SKOGHOLT.splitlines()[0] not in [c["title"] for c in after["citations"]]
    with pytest.raises(Exception, match="not a file of the index"):
        client.predict(file="/etc/passwd", api_name="/remove")


CALDORA_DECISIONS = [
    ("2023-02-15", "Bank of Caldora raises key rate to 6.00% as inflation climbs"),
    ("2023-08-30", "Caldora central bank lifts rate to 6.25%, hints at pause"),
    ("2024-03-20", "Bank of Caldora cuts interest rate for first time in three years"),
]


def test_timeline_returns_the_stories_oldest_first(client: Any) -> None:
    rows = json.loads(client.predict(query="Bank of Caldora interest rate", api_name="/timeline"))
    assert [(row["date"], row["title"]) for row in rows] == CALDORA_DECISIONS
    assert all(set(row) == {"date", "story_id", "title", "sources", "sentence", "article_ids"} for row in rows)
    assert "5.75%" in rows[-1]["sentence"] and rows[-1]["sources"] == ["Xinhua", "AFP", "Reuters"]
    window = {"since": "2023-06-01", "until": "2023-12-31"}
    window_rows = json.loads(client.predict(query="Bank of Caldora interest rate", **window, api_name="/timeline"))
    assert [row["date"] for row in window_rows] == ["2023-08-30"]
    assert len(json.loads(client.predict(query="Esterlund tram", limit=2, api_name="/timeline"))) == 2
    with pytest.raises(Exception, match="not a date"):
        client.predict(query="Esterlund tram", until="next week", api_name="/timeline")
    with pytest.raises(Exception, match="query is empty"):
        client.predict(query="  ", api_name="/timeline")

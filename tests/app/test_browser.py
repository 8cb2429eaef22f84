"""The app in Chromium, as a person uses it: ask, click a citation, read the passage, upload, abstain, phone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from app_support import BOT, Server, ask, gold_title, open_app, open_tab, record, upload_files

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

ABSENT = "Which team won the 2023 Northern Ice Hockey League championship?"

NEW_ARTICLE = """Velmora switches on floating solar farm on flooded quarry lake
VELMORA, September 3, 2024 — The coastal town of Velmora switched on a floating solar farm covering 14 hectares \
of a flooded limestone quarry, with 31,200 panels that operator Lysa Energi said would supply about 9,400 homes.
The panels rest on plastic pontoons anchored to the quarry floor 40 metres below. Lysa Energi said the water \
keeps the panels cooler than on land, raising their output by roughly 8 per cent on summer afternoons.
"The quarry gave this town work for a century, and now it will give it power," mayor Tove Brandal said at the \
opening, where schoolchildren pressed the switch.
The project cost 96 million crowns, a third of it from a regional energy fund. Anglers had objected during the \
planning stage; the company agreed to leave the northern third of the lake free of panels.
Agencies - NTB
"""
NEW_TITLE = NEW_ARTICLE.splitlines()[0]


def _card_title(card: Any) -> str:
    return str(card.locator(".aq-card-head").inner_text()).split("]", 1)[-1].strip()


def test_ask_click_citation_shows_marked_passage(
    app_server: Server, page: Any, screenshot: Any, questions: dict, sample_archive: Path
) -> None:
    question = questions["sample_02"]
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((app_server.url, "data:", "blob:")) else elsewhere.append(r.url)
    )
    open_app(page, app_server.url)
    screenshot(page, "01_start")
    chat_box = page.locator("#aq-chat").bounding_box()
    asked = ask(page, question["question"])
    record("browser_first_text_extractive_s", round(asked.first_text_s, 3))
    record("browser_answer_done_extractive_s", round(asked.answered_s, 3))
    assert page.locator("#aq-chat").bounding_box() == chat_box, "the chat must not change size while answering"
    assert len(asked.layouts) == 1, f"chat or sources panel changed size while answering: {asked.layouts}"

    cite = asked.bubble.locator("a.aq-cite").first
    assert cite.is_visible(), asked.bubble.inner_html()
    assert question["answer"][0] in asked.bubble.inner_text()
    cite.click()
    card = page.locator(".aq-card.aq-active")
    card.wait_for(state="visible")
    page.wait_for_timeout(1500)  # the click also selects the message: the panel must keep the highlight
    assert card.is_visible()
    assert _card_title(card) == gold_title(sample_archive, question)
    mark = card.locator(".aq-passage mark")
    assert mark.is_visible()
    assert question["answer"][0] in mark.inner_text()
    screenshot(page, "02_citation_clicked")

    card.locator("summary").click()  # the full article, passage marked
    full = card.locator(".aq-full mark.aq-span")
    full.wait_for(state="visible")
    assert question["answer"][0] in full.inner_text()
    screenshot(page, "03_full_article")
    assert elsewhere == [], "the page fetches nothing from other hosts (fonts, analytics, CDNs)"
    assert page.get_by_role("button", name="Run").count() == 0, "no stray components on the page"


def test_follow_up_uses_history_and_old_citations_reselect(app_server: Server, page: Any, screenshot: Any) -> None:
    open_app(page, app_server.url)
    first = ask(page, "How many riders did Esterlund's extended tram Line 4 carry on its first day of service?")
    assert "11,300" in first.bubble.inner_text()
    follow = ask(page, "And how many new trams were ordered for it?")
    standalone = follow.bubble.locator(".aq-standalone")
    assert standalone.is_visible()
    searched = standalone.inner_text()
    assert searched.startswith("Searched for: And how many new trams were ordered for it?"), searched
    assert "Esterlund" in searched, "the follow-up names no city: only the rewrite can add it"
    assert "14 new low-floor trams" in follow.bubble.inner_text()
    assert follow.bubble.locator("a.aq-cite").count() >= 1
    assert "Esterlund" in page.locator("#aq-sources .aq-card").first.inner_text()
    # A citation of the first answer brings that answer's sources back into the panel.
    first.bubble.locator("a.aq-cite").first.click()
    page.wait_for_selector("#src-0-1.aq-active")
    assert page.locator("#src-0-1 .aq-passage mark").is_visible()
    screenshot(page, "04_follow_up")

    page.locator("#aq-new").click()
    page.wait_for_function(f"() => document.querySelectorAll('{BOT}').length === 0")
    assert "Ask a question" in page.locator("#aq-sources").inner_text()


def _assert_abstained(page: Any, bubble: Any) -> None:
    assert "does not contain an answer" in bubble.inner_text()
    assert bubble.locator("a.aq-cite").count() == 0
    assert bubble.locator(".aq-closest li").count() >= 1
    assert "does not hold this answer" in page.locator("#aq-sources").inner_text()


def test_abstains_and_lists_closest_articles(app_server: Server, page: Any, screenshot: Any) -> None:
    open_app(page, app_server.url)
    asked = ask(page, "Which mineral did the Mars rover Tenacity report detecting near its landing site in 2023?")
    _assert_abstained(page, asked.bubble)
    screenshot(page, "05_abstained")


def test_abstains_on_ice_hockey_question(app_server: Server, page: Any) -> None:
    open_app(page, app_server.url)
    _assert_abstained(page, ask(page, ABSENT).bubble)


def test_example_question_is_one_click(app_server: Server, page: Any, questions: dict) -> None:
    open_app(page, app_server.url)
    examples = page.locator("#aq-chat button.example")
    examples.first.wait_for()
    label = examples.first.inner_text().strip()
    assert label in {q["question"] for q in questions.values()}
    examples.first.click()
    page.locator(f"{BOT} a.aq-cite").first.wait_for()


def test_upload_then_ask_about_it(app_server: Server, page: Any, screenshot: Any, tmp_path: Path) -> None:
    article = tmp_path / "velmora-solar.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    open_app(page, app_server.url)
    upload_files(page, article)
    page.locator("#aq-ingest").click()
    page.get_by_text("1 new").wait_for(timeout=60_000)
    assert "Velmora" not in page.locator("#aq-ingest-result").inner_text()  # no error lines
    screenshot(page, "06_uploaded")

    open_tab(page, "Ask")
    asked = ask(page, "How many panels does the floating solar farm in Velmora have?")
    assert "31,200" in asked.bubble.inner_text()
    asked.bubble.locator("a.aq-cite").first.click()
    card = page.locator(".aq-card.aq-active")
    card.wait_for(state="visible")
    assert _card_title(card) == NEW_TITLE
    screenshot(page, "07_asked_uploaded")


def test_phone_width(app_server: Server, phone_page: Any, screenshot: Any) -> None:
    page = phone_page
    open_app(page, app_server.url)
    screenshot(page, "08_phone_start")
    asked = ask(page, "How much did the Skarvik tram extension cost in total after the wharf was found?")
    assert asked.bubble.locator("a.aq-cite").count() >= 1
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
    chat, sources = page.locator("#aq-chat").bounding_box(), page.locator("#aq-sources").bounding_box()
    assert sources["y"] >= chat["y"] + chat["height"] - 1, "sources go below the chat on a phone"
    screenshot(page, "09_phone_answer")
    asked.bubble.locator("a.aq-cite").first.click()
    page.locator(".aq-card.aq-active").wait_for(state="visible")
    page.wait_for_timeout(600)  # smooth scroll
    assert page.locator(".aq-card.aq-active mark").first.is_visible()
    screenshot(page, "10_phone_citation")


def _llm_available() -> str | None:
    """Why the local LLM cannot run here, or None when it can (the model file is joined once into the cache)."""
    try:
        from generators.llama import LlamaCppGenerator  # noqa: F401
        from generators.model_file import ensure_model
    except ImportError as exc:
        return f"generators.llama not available: {exc}"
    try:
        ensure_model(Path(os.environ["ARCHIVE_QA_MODEL_CACHE"]))
    except Exception as exc:  # ModelUnavailableError and friends: a part package missing
        return f"model file not available: {exc}"
    return None


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_local_llm_streams_cited_answer(app_server: Server, page: Any, screenshot: Any, questions: dict) -> None:
    reason = _llm_available()
    if reason:
        pytest.skip(reason)
    open_app(page, app_server.url)
    page.get_by_text("Search options").click()
    page.get_by_label("Local LLM").check()
    cold = ask(page, questions["sample_02"]["question"], timeout_ms=600_000)  # loads the model on first use
    record("browser_first_text_llm_cold_s", round(cold.first_text_s, 2))
    record("browser_answer_done_llm_cold_s", round(cold.answered_s, 2))
    assert cold.bubble.locator("a.aq-cite").count() >= 1, cold.bubble.inner_text()
    assert "29" in cold.bubble.inner_text()
    warm = ask(page, questions["sample_05"]["question"], timeout_ms=300_000)
    record("browser_first_text_llm_warm_s", round(warm.first_text_s, 2))
    record("browser_answer_done_llm_warm_s", round(warm.answered_s, 2))
    assert warm.first_text_s < warm.answered_s, "the LLM answer streams: text shows before the answer is done"
    assert len(warm.layouts) == 1, f"layout changed while streaming: {warm.layouts}"
    assert warm.bubble.locator("a.aq-cite").count() >= 1, warm.bubble.inner_text()
    warm.bubble.locator("a.aq-cite").first.click()
    page.locator(".aq-card.aq-active mark").first.wait_for(state="visible")
    screenshot(page, "11_llm_answer")
    absent = ask(page, ABSENT, timeout_ms=300_000)
    screenshot(page, "12_llm_abstained")
    _assert_abstained(page, absent.bubble)


def test_archive_markup_is_shown_as_text(app_server: Server, page: Any, tmp_path: Path) -> None:
    """Article text that looks like HTML or template syntax must reach the reader as plain text."""
    tricky = tmp_path / "tricky.txt"
    tricky.write_text(
        "Quarnby council votes on <b>bold</b> ferry {{title}} plan\n"
        "QUARNBY, August 14, 2024 — The Quarnby council voted 17 to 4 for a night ferry plan costing ${1+1} "
        'million crowns, <img src=x onerror="window.__pwned=1"> said the harbour master [9].\n'
        "Agencies - NTB\n",
        encoding="utf-8",
    )
    open_app(page, app_server.url)
    upload_files(page, tricky)
    page.locator("#aq-ingest").click()
    page.get_by_text("1 new").wait_for(timeout=60_000)
    open_tab(page, "Ask")
    asked = ask(page, "How did the Quarnby council vote on the night ferry plan?")
    asked.bubble.locator("a.aq-cite").first.click()
    card = page.locator(".aq-card.aq-active")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "<b>bold</b>" in text and "{{title}}" in text and "${1+1}" in text and "<img src=x" in text
    assert card.locator("b, img").count() == 0
    assert page.evaluate("() => window.__pwned") is None


def test_failing_answerer_is_reported_and_chat_goes_on(app_server: Server, page: Any, screenshot: Any) -> None:
    open_app(page, app_server.url)
    page.get_by_text("Search options").click()
    page.get_by_label("Configured endpoint").check()
    failed = ask(page, "What did the Bank of Caldora decide in March 2024?")
    assert "Could not answer" in failed.bubble.inner_text()
    assert "cannot reach" in failed.bubble.inner_text() or "endpoint" in failed.bubble.inner_text()
    failed.bubble.scroll_into_view_if_needed()
    screenshot(page, "13_endpoint_down")
    page.get_by_label("Extractive (no model)").check()
    asked = ask(page, "What did the Bank of Caldora decide in March 2024?")
    asked.bubble.locator("a.aq-cite").first.click()
    page.wait_for_selector("#src-1-1.aq-active")  # the second answer's cards, despite the failed first turn


def test_date_filter_limits_the_sources(app_server: Server, page: Any) -> None:
    open_app(page, app_server.url)
    page.get_by_text("Search options").click()
    until = page.locator("#aq-until input").first
    until.fill("2023-02-01")
    until.press("Enter")
    asked = ask(page, "What is the cost of the Esterlund tram Line 4 extension?")
    dates = page.locator("#aq-sources .aq-meta").all_inner_texts()
    found = [d for text in dates for d in text.split(" · ") if d[:2] == "20" and len(d) == 10]
    assert found and all(d <= "2023-02-01" for d in found), dates
    assert "212 million" in asked.bubble.inner_text()


LIGHTHOUSE = """Brennvik lighthouse keeper retires after forty years
BRENNVIK, June 4, 2024 — Ottar Selvik, keeper of the Brennvik lighthouse, retired on Tuesday after forty years, \
saying the lamp had failed only twice in his time, both during the storm winter of 1993.
Agencies - NTB
"""


def test_remove_a_file_then_its_answer_is_gone(app_server: Server, page: Any, screenshot: Any, tmp_path: Path) -> None:
    article = tmp_path / "brennvik-lighthouse.txt"
    article.write_text(LIGHTHOUSE, encoding="utf-8")
    question = "In which winter did the Brennvik lighthouse lamp fail?"
    open_app(page, app_server.url)
    upload_files(page, article)
    page.locator("#aq-ingest").click()
    page.locator("#aq-ingest-result").get_by_text("1 new").wait_for(timeout=60_000)
    open_tab(page, "Ask")
    assert "1993" in ask(page, question).bubble.inner_text()

    open_tab(page, "Index")
    pick = page.locator("#aq-remove-file input")
    pick.click()
    pick.fill("brennvik")
    page.get_by_role("option", name="uploads/brennvik-lighthouse.txt").click()
    page.locator("#aq-remove").click()
    result = page.locator("#aq-remove-result")
    result.get_by_text("1 article(s) taken out").wait_for(timeout=60_000)
    assert "uploads/brennvik-lighthouse.txt" in result.inner_text()
    screenshot(page, "14_removed")
    pick.click()
    page.get_by_role("option").first.wait_for()
    assert page.get_by_role("option", name="uploads/brennvik-lighthouse.txt").count() == 0  # no longer listed
    pick.press("Escape")  # close the list: it lies over the tabs

    open_tab(page, "Ask")
    again = ask(page, question)
    assert "1993" not in again.bubble.inner_text()
    assert LIGHTHOUSE.splitlines()[0] not in page.locator("#aq-sources").inner_text()


CALDORA_TITLES = [
    "Bank of Caldora raises key rate to 6.00% as inflation climbs",
    "Caldora central bank lifts rate to 6.25%, hints at pause",
    "Bank of Caldora cuts interest rate for first time in three years",
]


def _show_timeline(page: Any, query: str, stories: str) -> Any:
    """Type the query in the Timeline tab, press the button, wait for this query's list; its entries."""
    page.locator("#aq-tl-query textarea").fill(query)
    page.locator("#aq-tl-show").click()
    page.locator("#aq-timeline .aq-panel-title").get_by_text(f"Timeline · {query} · {stories}").wait_for()
    return page.locator("#aq-timeline li.aq-tl-entry")


def test_timeline_lists_stories_by_date_and_opens_the_article_at_its_sentence(
    app_server: Server, page: Any, screenshot: Any, sample_archive: Path
) -> None:
    open_app(page, app_server.url)
    open_tab(page, "Timeline")
    entries = _show_timeline(page, "Bank of Caldora interest rate", "3 stories")
    assert entries.locator(".aq-tl-title").all_inner_texts() == CALDORA_TITLES
    assert [entries.nth(i).get_attribute("data-date") for i in range(3)] == ["2023-02-15", "2023-08-30", "2024-03-20"]
    assert "Xinhua" in entries.nth(2).locator(".aq-tl-head").inner_text()
    screenshot(page, "15_timeline")

    entry = entries.nth(1)
    sentence = entry.locator(".aq-tl-sentence").inner_text()
    assert not entry.locator(".aq-full").is_visible()  # closed until clicked
    entry.locator(".aq-tl-title").click()
    mark = entry.locator(".aq-full mark")
    mark.wait_for(state="visible")
    assert mark.inner_text() == sentence
    lines = (sample_archive / "006_322771d864ccf71a.txt").read_text(encoding="utf-8").strip().splitlines()
    shown = entry.locator(".aq-full").inner_text()
    assert lines[1][:60] in shown and lines[-2] in shown  # the whole article (two chunks), without the agency line
    screenshot(page, "16_timeline_article")


def test_timeline_since_until_limit_the_tram_story(app_server: Server, page: Any) -> None:
    open_app(page, app_server.url)
    open_tab(page, "Timeline")
    whole = _show_timeline(page, "Esterlund tram Line 4", "4 stories")
    dates = [whole.nth(i).get_attribute("data-date") for i in range(4)]
    assert dates == ["2023-01-18", "2023-04-26", "2023-11-21", "2024-06-15"]
    for box, value in (("#aq-tl-since", "2023-03-01"), ("#aq-tl-until", "2023-12-31")):
        field = page.locator(f"{box} input").first
        field.fill(value)
        field.press("Enter")
    window = _show_timeline(page, "Esterlund tram Line 4", "2 stories")
    assert [window.nth(i).get_attribute("data-date") for i in range(2)] == ["2023-04-26", "2023-11-21"]

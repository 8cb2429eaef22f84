"""News over time in Chromium: a question about something that changes is answered from the newest report, dated,
with the earlier figure named; a second follow-up keeps its topic."""

from __future__ import annotations

from typing import Any

import pytest

from app_support import Server, ask, open_app

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def test_a_latest_question_is_answered_from_the_newest_report_with_its_date(
    app_server: Server, page: Any, screenshot: Any
) -> None:
    open_app(page, app_server.url)
    asked = ask(page, "What did the Bank of Caldora decide about interest rates?")
    text = asked.bubble.inner_text()
    assert "5.75%" in text, text  # the March 2024 cut, not the 2023 raises
    assert "20 Mar 2024" in text or "March 20, 2024" in text, "the answer says when its facts are from"
    assert "Earlier: 6.25%" in text, "the earlier state of the story is named"
    assert asked.bubble.locator("a.aq-cite").count() >= 2
    # The cut ran from three outlets: one card for the story, naming the other two.
    cards = page.locator("#aq-sources .aq-card")
    cards.first.wait_for(state="visible")
    texts = [cards.nth(i).inner_text() for i in range(cards.count())]
    assert sum("5.75%" in t for t in texts) == 1, texts
    assert any("also in: " in t and "AFP" in t and "Reuters" in t for t in texts), texts
    screenshot(page, "20_latest_rate")


def test_a_third_question_in_a_conversation_keeps_the_topic(app_server: Server, page: Any) -> None:
    open_app(page, app_server.url)
    ask(page, "When did Esterlund's tram Line 4 extension open?")
    ask(page, "How many riders did it carry on its first day?")
    third = ask(page, "What was its final cost?")
    assert "Esterlund" in third.bubble.locator(".aq-standalone").inner_text()
    assert "254 million crowns" in third.bubble.inner_text()

"""Citation logic: invalid numbers removed, forged markers neutralized, support spans, auto-citing."""

from __future__ import annotations

from qa.citations import check_markers, cite_uncited, cited_numbers, claims, neutralize, resolve, support_span
from qa.types import Passage


def _passage(text: str, n: int = 0) -> Passage:
    return Passage(f"a{n}-000", f"a{n}", text, f"Title {n}")


def test_numbers_outside_the_passages_are_removed_and_counted() -> None:
    text, removed = check_markers("Rates rose [1][9]. Prices fell [0] [2].", 2)
    assert text == "Rates rose [1]. Prices fell [2]."
    assert removed == 2


def test_grouped_markers_are_split_before_checking() -> None:
    text, removed = check_markers("Both happened [1, 3].", 2)
    assert text == "Both happened [1]."
    assert removed == 1


def test_a_marker_inside_article_text_is_neutralized() -> None:
    assert neutralize("as cited in [7] and [12]") == "as cited in (7) and (12)"
    assert cited_numbers(neutralize("see [7]")) == []


def test_cited_numbers_in_order_of_first_citation() -> None:
    assert cited_numbers("A [3]. B [1][3]. C [2].") == [3, 1, 2]


def test_claims_pair_sentences_with_their_numbers() -> None:
    assert claims("Rates rose [1]. Nothing else. Prices fell [2][1].") == [
        ("Rates rose.", [1]),
        ("Prices fell.", [2, 1]),
    ]


def test_support_span_finds_the_sentence_that_backs_the_claim() -> None:
    text = "The council met on Monday. It approved 254 million crowns for the tram. Rain is forecast."
    start, end = support_span("The tram budget is 254 million crowns", text)
    assert text[start:end] == "It approved 254 million crowns for the tram."


def test_resolve_gives_one_citation_per_cited_passage_with_a_highlight() -> None:
    passages = [_passage("Ann Lee won the vote. Turnout was low.", 1), _passage("The bridge opened in May.", 2)]
    citations = resolve("The bridge opened in May [2]. Ann Lee won [1].", passages)
    assert [c.n for c in citations] == [2, 1]
    first = citations[0]
    assert first.passage.article_id == "a2"
    assert first.passage.text[first.highlight[0] : first.highlight[1]] == "The bridge opened in May."
    second = citations[1]
    assert second.passage.text[second.highlight[0] : second.highlight[1]] == "Ann Lee won the vote."


def test_an_uncited_sentence_gets_the_passage_that_plainly_supports_it() -> None:
    passages = [_passage("Weather was mild.", 1), _passage("Rift Valley Stars won the cup on penalties.", 2)]
    assert cite_uncited("Rift Valley Stars won the cup.", passages) == "Rift Valley Stars won the cup. [2]"


def test_an_unsupported_sentence_stays_uncited() -> None:
    passages = [_passage("Rift Valley Stars won the cup on penalties.", 1)]
    assert cite_uncited("The moon landing was faked by sailors.", passages) == "The moon landing was faked by sailors."


def test_a_citation_never_lands_inside_a_title_or_date() -> None:
    """The sentence splitter once ended a sentence at "Dr." and cited "Dr. [1] Oz", which no reader would want."""
    passage = Passage("a-000", "a", "Dr. Oz won the Senate primary. The Jan. 6 committee met on Tuesday.", "Primary")
    cited = cite_uncited("Dr. Oz won the Senate primary. The Jan. 6 committee met on Tuesday.", [passage])
    assert cited == "Dr. Oz won the Senate primary. [1] The Jan. 6 committee met on Tuesday. [1]"

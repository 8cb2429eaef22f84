"""What kind of answer a question asks for, and which sentence the extractive answerer quotes for it."""

from __future__ import annotations

import pytest

from qa.answer_types import AnswerKind, asked_kind, holds_kind
from qa.extractive import ExtractiveAnswerer
from qa.pipeline import ArchiveQA
from qa.types import Passage

# Written for these tests: a dateline opening, a quoted sentence holding the share, other figures around it.
_SUMMIT = (
    "VELMORA — The prime ministers of Caldora and Estmark agreed on Thursday to press ahead with their customs "
    "union after talks in the old harbour palace.\n"
    'Prime Minister Ines Varga said 14 joint working groups had met since the 2021 treaty was signed. "So far '
    "the two ministries have carried out 62 percent of the measures planned under the treaty, and the rest will "
    'follow without delay," she said.\n'
    "Trade between the two countries has grown threefold in a decade, and more than 3,000 firms now work across "
    "the border.\n"
    '"We once looked only to the north for partners, but now we know we must build things ourselves," '
    "Estmark's premier Tomas Lind said.\n"
    "Agencies - Caldora Press"
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What share of the planned measures have the two ministries carried out?", AnswerKind.SHARE),
        ("What proportion of voters backed the plan?", AnswerKind.SHARE),
        ("What percentage of the budget goes to schools?", AnswerKind.SHARE),
        ("By what percent did prices rise?", AnswerKind.SHARE),
        ("What fraction of the fleet is electric?", AnswerKind.SHARE),
        ("What rate did the bank set?", AnswerKind.SHARE),
        ("How often do the trains run?", AnswerKind.NUMBER),
        ("By how much has trade grown?", AnswerKind.NUMBER),
        ("How many firms work across the border?", AnswerKind.NUMBER),
        ("In what year was the treaty signed?", AnswerKind.YEAR),
        ("When did the talks take place?", AnswerKind.DATE),
        ("Who said they must build things themselves?", AnswerKind.PERSON),
        ("Why did the talks begin?", None),
    ],
)
def test_the_asked_kind_is_recognised(question: str, kind: AnswerKind | None) -> None:
    assert asked_kind(question) is kind


def test_shares_and_numbers_written_as_words_or_percentages_are_recognised() -> None:
    assert holds_kind(AnswerKind.SHARE, "Turnout reached 71%.")
    assert holds_kind(AnswerKind.SHARE, "Two-thirds of the fleet is electric.")
    assert holds_kind(AnswerKind.SHARE, "One in five homes has solar panels.")
    assert holds_kind(AnswerKind.SHARE, "Prices rose by 3.5 per cent.")
    assert not holds_kind(AnswerKind.SHARE, "The 14 working groups met in 2021.")
    assert holds_kind(AnswerKind.NUMBER, "There are six films.")
    assert holds_kind(AnswerKind.NUMBER, "Output doubled in a decade.")
    assert not holds_kind(AnswerKind.NUMBER, "Output rose in a decade.")
    assert holds_kind(AnswerKind.DATE, "It reopens on Monday.") and not holds_kind(AnswerKind.DATE, "It reopens.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        # The dateline names the question's topic better than any sentence; the quoted one holds the share.
        ("What share of the customs union plan have Caldora and Estmark completed?", "62 percent"),
        ("What percentage of the customs union work have the prime ministers of Caldora and Estmark finished?", "62"),
        ("How many firms work across the border?", "3,000"),
        ("Who said they must build things themselves?", "Tomas Lind"),
    ],
)
def test_the_extractive_answer_quotes_the_sentence_holding_the_asked_kind(
    extractive_qa: ArchiveQA, question: str, expected: str
) -> None:
    passage = Passage("s-000", "s", _SUMMIT, "Caldora and Estmark press on with customs union", None, "2024-05-02")
    chosen = ExtractiveAnswerer(extractive_qa.embedder).select(question, [passage])
    assert expected in chosen[0].text
    assert not chosen[0].text.startswith("VELMORA")  # not the dateline opening

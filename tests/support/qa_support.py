"""Test helpers for the qa suite (imported by name: tests/ is not a package)."""

from __future__ import annotations

from collections.abc import Iterator

from generators.base import Message

# An undated item in the wire format (a dateline without a date, like the archive's own seed item).
UNDATED_TITLE = "Glacier sensors installed on the Veltrona Pass"
UNDATED_ITEM = f"""{UNDATED_TITLE}
GENEVA — Engineers installed 14 solar-powered sensors on the Veltrona Pass glacier to measure melt rates.
"The data will reach us every ten minutes," project lead Ilse Marchetti said.
Agencies - SDA

"""


class ScriptedGenerator:
    """A deterministic stand-in for the chat model: replies with the scripted text, records the prompts."""

    name = "scripted"

    def __init__(self, *replies: str) -> None:
        self.replies = list(replies)
        self.prompts: list[list[Message]] = []

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self.prompts.append(messages)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        for start in range(0, len(reply), 7):  # in pieces, as a model streams
            yield reply[start : start + 7]


# A small archive for the timeline: a bridge project reported over 15 months (one of its stories in two outlets'
# copies, one undated), a ferry story from the same harbour that never says "bridge", and an unrelated story.
BRIDGE_STORY = {
    "plan": """Marenvik unveils plan for a lifting bridge over the inner harbour
MARENVIK, February 10, 2023 — The city of Marenvik unveiled plans for a 240-metre lifting bridge across its inner \
harbour, linking the old town with the Nordkai district, at an estimated cost of 88 million crowns.
Mayor Astrid Holmen said the bridge would carry trams, cyclists and pedestrians, and that its central span would \
lift for ships twelve times a day.
Agencies - AP
""",
    "approved": """Marenvik council approves harbour bridge budget
MARENVIK, June 5, 2023 — Marenvik's city council approved a budget of 97 million crowns for the harbour lifting \
bridge, voting 31 to 12 after opponents argued that the crossing would block larger cruise ships.
Transport councillor Leif Aasen said steel prices explained most of the rise from the February estimate.
Agencies - Reuters
""",
    "approved_copy": """Harbour bridge budget passes in Marenvik council vote
MARENVIK, June 6, 2023 — Marenvik's council approved 97 million crowns for the lifting bridge over the harbour by \
31 votes to 12, despite objections that the crossing would keep larger cruise ships out of the inner basin.
The transport councillor blamed steel prices for most of the increase since the estimate presented in February.
Agencies - Xinhua
""",
    "delayed": """Corroded piles delay Marenvik harbour bridge by four months
MARENVIK, November 20, 2023 — The opening of Marenvik's harbour lifting bridge has been pushed back by four months \
after divers found corroded timber piles from a 19th-century quay where the northern bridge pier is to stand.
The city's building office said the extra foundation work would raise the bridge's cost to 104 million crowns.
Agencies - AFP
""",
    "opened": """Marenvik's harbour lifting bridge opens to trams and cyclists
MARENVIK, May 14, 2024 — Marenvik's lifting bridge over the inner harbour opened on Tuesday, with 9,800 cyclists \
and pedestrians crossing on its first day and the first tram rolling over the span at dawn.
"""
    + " ".join(
        f"The bridge's central span rose for the {n} ship of the day at {hour}:00, and the crossing reopened within "
        f"six minutes, the harbour office said, as the city had promised when it planned the bridge."
        for n, hour in [("first", 7), ("second", 9), ("third", 11), ("fourth", 13), ("fifth", 15), ("sixth", 17)]
    )
    + """
The final cost of the bridge was 106 million crowns, the building office said.
Agencies - dpa
""",
    "undated": """Marenvik bridge keepers train on the lifting span
MARENVIK — Eight bridge keepers trained for a week in the control cabin of Marenvik's harbour lifting bridge, \
practising how to raise the central span in storm winds and how to stop trams before it lifts.
Agencies - NTB
""",
}
HARBOUR_FERRY = """Marenvik harbour ferry gets a new timetable
MARENVIK, March 3, 2024 — The ferry across Marenvik's inner harbour will run every 15 minutes from April, the \
harbour office said, as the operator added a second boat for commuters to the Nordkai district.
Agencies - NTB
"""
CHESS = """Grandmaster Oyelaran wins the Lagos chess open
LAGOS, August 12, 2023 — Nigerian grandmaster Tunde Oyelaran won the Lagos chess open with 7.5 points from nine \
games, beating the Indian prodigy Arjun Mehta in the last round with a knight sacrifice on move 31.
Agencies - AFP
"""

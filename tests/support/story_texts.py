"""Sample story texts written for the tests: one wire story, an outlet's lightly edited copy, another on the topic."""

from __future__ import annotations

WIRE = (
    "Workers at the port of Valmora walked off the job on Monday after talks over a new contract broke down late on "
    "Sunday night, halting the loading of grain ships for the first time in eleven years. The dockers union said "
    "its members would stay out until the port authority restored the overtime rates it cut in March. A spokesman "
    "for the authority said the offer on the table was fair and that it remained ready to meet the union at any "
    "time. Six grain carriers were waiting offshore by the evening, and traders said prices for spring wheat "
    "rose by two percent on the news. The regional governor urged both sides to return to the table before the "
    "harvest season begins next month."
)
EDITED = (
    WIRE.replace("on Monday", "on Monday morning")
    .replace("A spokesman for the authority said", "An authority spokesman said")
    .replace("by the evening", "by Monday evening")
    + " Local shops near the harbour said trade had already slowed."
)
SAME_TOPIC = (
    "The port of Valmora reported record grain exports for the third quarter, the port authority said on Thursday, "
    "as new cranes cut the time ships spend at the quay by a third. Exports of spring wheat rose eighteen percent "
    "from a year earlier, helped by a strong harvest and lower freight costs. The authority plans to dredge the "
    "northern channel next year so that larger carriers can dock, and the dockers union welcomed the investment, "
    "saying it would bring more jobs to the town."
)

"""Forty short, invented wire stories (places, people and figures are made up), about topics the sample archive
does not cover: an ingest of them must not change which sample article answers a sample question.

`write_wire_articles(folder)` writes them in the wire format the sample archive uses (title, `CITY, date —`
dateline, body, `Agencies - X`) and returns their paths.
"""

from __future__ import annotations

from pathlib import Path

# (city, date, title, body, agency)
STORIES: list[tuple[str, str, str, str, str]] = [
    (
        "BREKKESTAD",
        "March 3, 2024",
        "Brekkestad beekeepers' cooperative doubles its hives",
        "The Brekkestad beekeeping cooperative now keeps 1,240 hives, twice as many as two years ago, its chair Oda "
        "Rasten said. The cooperative sold 38 tonnes of heather honey last season, mostly to bakeries in the valley.",
        "NTB",
    ),
    (
        "KALVIK",
        "April 9, 2024",
        "Kalvik lighthouse keeper's cottage becomes a guesthouse",
        "The keeper's cottage at Kalvik point, empty since the light was automated in 1987, reopened as a six-room "
        "guesthouse. Owner Fredrik Aune said the first summer is already 80 per cent booked.",
        "NTB",
    ),
    (
        "MIRANTE",
        "May 2, 2024",
        "Schoolgirl wins Mirante open chess tournament",
        "Fourteen-year-old Lucia Ferraz won the Mirante open chess tournament with eight points from nine games, "
        "finishing ahead of three grandmasters. She drew only against the top seed, Paulo Maciel.",
        "Lusa",
    ),
    (
        "TOLSVIK",
        "June 12, 2024",
        "Tolsvik dairy revives blue cheese recipe from 1890s ledger",
        "A dairy in Tolsvik has begun selling a blue cheese made from a recipe found in a farm ledger from 1893. "
        "Cheesemaker Ingrid Moe said the cheese ripens for 14 weeks in a former railway tunnel.",
        "NTB",
    ),
    (
        "VARDEN",
        "July 1, 2024",
        "Varden youth orchestra tours four countries",
        "The Varden youth orchestra set off on a 19-concert tour of four countries with 72 musicians aged 13 to 19. "
        "Conductor Mikael Strand said the programme ends with a new piece by a 17-year-old cellist.",
        "TT",
    ),
    (
        "OSTERBY",
        "August 5, 2024",
        "Osterby opens night library for shift workers",
        "The public library in Osterby now stays open until 2 a.m. on weekdays for shift workers. Librarian Hanne "
        "Dahl said 310 people used the late hours in the first month.",
        "Ritzau",
    ),
    (
        "LUNDHAVN",
        "September 8, 2024",
        "Lundhavn swing bridge repaired after ship strike",
        "The Lundhavn swing bridge reopened to traffic after repairs costing 6.2 million crowns. A cargo ship struck "
        "its western pier in May, closing the crossing for 16 weeks.",
        "Ritzau",
    ),
    (
        "PERALTA",
        "October 14, 2024",
        "Peralta zoo welcomes twin red panda cubs",
        "Peralta zoo said its red pandas had twin cubs, the first births of the species there in 11 years. Keeper "
        "Rosa Villar said the cubs would stay out of public view until December.",
        "EFE",
    ),
    (
        "HOLMSUND",
        "November 20, 2024",
        "Holmsund observatory reopens with restored 1912 telescope",
        "The Holmsund observatory reopened its dome after restorers rebuilt the clockwork drive of its 1912 "
        "refracting telescope. Public viewing nights will be held every clear Thursday.",
        "TT",
    ),
    (
        "SANTA BRISA",
        "January 7, 2024",
        "Santa Brisa botanical garden adds cactus glasshouse",
        "The Santa Brisa botanical garden opened a glasshouse holding 2,100 cactus plants from 34 countries. Curator "
        "Elena Obregon said the oldest specimen is about 160 years old.",
        "EFE",
    ),
    (
        "ALVREN",
        "February 11, 2024",
        "Record 64 balloons fly at Alvren winter festival",
        "A record 64 hot-air balloons took off at the Alvren winter balloon festival, organisers said. Cold, still "
        "air let the balloons climb to 1,800 metres above the frozen lake.",
        "APA",
    ),
    (
        "CORVALE",
        "March 16, 2024",
        "Corvale ice cream maker names flavour after local olive",
        "An ice cream maker in Corvale launched a flavour made with oil from the village's Nocellina olives. Owner "
        "Marta Bellini said she sold 4,000 cones of it in the first weekend.",
        "ANSA",
    ),
    (
        "GRENHOLT",
        "April 21, 2024",
        "Grenholt ski jump converted into viewing platform",
        "The disused ski jump above Grenholt has been turned into a viewing platform reached by 412 steps. The town "
        "spent 2.8 million crowns on railings, lighting and a small cafe at the top.",
        "NTB",
    ),
    (
        "DUNMERE",
        "May 25, 2024",
        "Dunmere rowing club celebrates 150 years",
        "The Dunmere rowing club marked its 150th year with a regatta of 90 crews on the river. Club captain Aoife "
        "Nolan said membership had risen to 540, the highest in its history.",
        "PA",
    ),
    (
        "SKELBY",
        "June 29, 2024",
        "Skelby fishermen land record mackerel catch",
        "Fishing boats in Skelby landed 2,300 tonnes of mackerel in one week, a record for the harbour. The fish "
        "auction stayed open through the weekend to handle the catch.",
        "Ritzau",
    ),
    (
        "MONTAVA",
        "July 30, 2024",
        "Montava cable car carries millionth passenger",
        "The Montava cable car, opened in 2019, carried its millionth passenger on Tuesday. Operator Lucio Ferri said "
        "cabins run every 90 seconds in summer.",
        "ANSA",
    ),
    (
        "ROSKELD",
        "August 18, 2024",
        "Roskeld museum returns Viking-age sword to village where it was found",
        "A Viking-age sword found by a farmer near Roskeld in 1951 went on display in the village hall. The museum "
        "that held it said the sword is 91 centimetres long and was made around the year 950.",
        "Ritzau",
    ),
    (
        "VALLERA",
        "September 22, 2024",
        "Vallera vineyards begin harvest three weeks early",
        "Growers in the Vallera valley began picking grapes on August 20, three weeks earlier than usual, after a "
        "hot, dry summer. The growers' association expects 41,000 hectolitres of wine.",
        "ANSA",
    ),
    (
        "HAGNES",
        "October 26, 2024",
        "Hagnes ferry crew rescues kayakers in autumn storm",
        "The crew of the Hagnes ferry pulled two kayakers from the water during a storm with gusts of 24 metres per "
        "second. Both were treated for cold at the local health centre.",
        "NTB",
    ),
    (
        "BELCASTRO",
        "November 30, 2024",
        "Belcastro puppet theatre marks centenary",
        "The Belcastro puppet theatre celebrated 100 years with a show using 60 restored wooden puppets. Director "
        "Giulia Conti said some puppets had been carved by her great-grandfather.",
        "ANSA",
    ),
    (
        "NORDVALE",
        "January 14, 2024",
        "Nordvale town hall installs heat pumps in 1890s building",
        "Nordvale's town hall replaced its oil boiler with three ground-source heat pumps drilled 220 metres deep. The "
        "town expects to cut heating costs by 70 per cent.",
        "TT",
    ),
    (
        "ARRENTA",
        "February 18, 2024",
        "Arrenta choir of retired miners records first album",
        "A choir of 28 retired coal miners from Arrenta released its first album, of mining songs collected in the "
        "valley. Choir leader Jose Carballo is 81.",
        "EFE",
    ),
    (
        "TIRSEN",
        "March 24, 2024",
        "Tirsen bakery wins national rye bread prize",
        "A family bakery in Tirsen won the national rye bread prize for a loaf baked with sourdough kept alive since "
        "1958. Baker Lene Holm said the starter is fed twice a day.",
        "Ritzau",
    ),
    (
        "CASPERA",
        "April 28, 2024",
        "Caspera marina adds 120 berths",
        "The Caspera marina opened 120 new berths on a floating pontoon, bringing its total to 460. The harbour "
        "authority said the waiting list for a berth fell from six years to two.",
        "EFE",
    ),
    (
        "ELMSTEAD",
        "May 31, 2024",
        "Elmstead village cricket pavilion rebuilt by volunteers",
        "Volunteers rebuilt the Elmstead cricket pavilion, which burned down in 2022, using 9,000 reclaimed bricks. "
        "The first match was played against a team from the neighbouring village.",
        "PA",
    ),
    (
        "GORMAVIK",
        "June 26, 2024",
        "Gormavik opens sea-water swimming pool in harbour",
        "A 25-metre sea-water pool opened inside the harbour wall at Gormavik. It is filled at high tide and "
        "warmed by waste heat from the fish processing plant next door.",
        "NTB",
    ),
    (
        "SERRANO",
        "July 27, 2024",
        "Serrano shepherds move 3,000 sheep to summer pastures",
        "Shepherds drove about 3,000 sheep through the streets of Serrano on their way to summer pastures, keeping a "
        "tradition that dates back to the 13th century.",
        "EFE",
    ),
    (
        "LINDKOPING",
        "August 29, 2024",
        "Lindkoping students build solar race car",
        "Engineering students in Lindkoping built a solar-powered race car weighing 160 kilograms for a 3,000 km race. "
        "Team leader Sara Ek said the car cruises at 85 km an hour in full sun.",
        "TT",
    ),
    (
        "MARSCOLA",
        "September 30, 2024",
        "Marscola church bells ring again after 40 years",
        "The three bells of the Marscola parish church rang for the first time in 40 years after their frame was "
        "replaced. The largest bell weighs 1.4 tonnes.",
        "ANSA",
    ),
    (
        "FJELLSTUE",
        "October 31, 2024",
        "Fjellstue mountain hut gets first winter warden",
        "The Fjellstue mountain hut, 1,120 metres above sea level, will have a warden through the winter for the "
        "first time. Skiers can book 24 beds from December.",
        "NTB",
    ),
    (
        "OAKRIDGE FALLS",
        "December 2, 2024",
        "Oakridge Falls mill restored to grind flour again",
        "The 1840s water mill at Oakridge Falls ground flour again after a five-year restoration. The millstones turn "
        "at 120 revolutions a minute when the river is high.",
        "AP",
    ),
    (
        "VEDRIN",
        "January 20, 2024",
        "Vedrin bird count finds 41 species in one morning",
        "Volunteers counted 41 bird species around Vedrin lake in one morning, including a rare white-tailed eagle. "
        "The count has been held every January since 1975.",
        "APA",
    ),
    (
        "PALMAROS",
        "February 24, 2024",
        "Palmaros carnival draws 200,000 visitors",
        "About 200,000 people watched the Palmaros carnival parade, which featured 38 floats and 12 brass bands, "
        "the town council said.",
        "EFE",
    ),
    (
        "KIRKEBY",
        "March 29, 2024",
        "Kirkeby farmers test robot weeders",
        "Five farms near Kirkeby are testing solar-powered robots that remove weeds without chemicals. Farmer Jens "
        "Holt said one robot covers 4 hectares a day.",
        "Ritzau",
    ),
    (
        "SAINT-LOUP",
        "May 4, 2024",
        "Saint-Loup cheese fair sells out",
        "All 18,000 tickets for the Saint-Loup cheese fair sold out, with 140 cheesemakers showing their produce, "
        "the organisers said.",
        "AFP",
    ),
    (
        "BRAMWELL",
        "June 7, 2024",
        "Bramwell canal lock reopens to boats",
        "Lock 14 on the Bramwell canal reopened after new oak gates were fitted. The canal trust said 2,600 boats "
        "pass through the lock each year.",
        "PA",
    ),
    (
        "HELLEVIK",
        "July 9, 2024",
        "Hellevik stave church roof re-shingled",
        "Carpenters replaced 22,000 pine shingles on the roof of the Hellevik stave church, using tar boiled on site "
        "as it was in the 12th century.",
        "NTB",
    ),
    (
        "ALTAMURO",
        "August 11, 2024",
        "Altamuro opens museum of old radios",
        "A museum of old radios opened in Altamuro with 700 sets collected by a retired engineer, Franco Galli, over "
        "50 years.",
        "ANSA",
    ),
    (
        "NORSKOG",
        "September 13, 2024",
        "Norskog forest trail adapted for wheelchairs",
        "A 7-kilometre forest trail near Norskog was resurfaced so wheelchair users can follow it to a lake. The work "
        "cost 3.1 million crowns.",
        "NTB",
    ),
    (
        "TIDEWATER",
        "October 16, 2024",
        "Tidewater oyster festival returns after three-year pause",
        "The Tidewater oyster festival returned after a three-year pause, with 60,000 oysters shucked over two days, "
        "organiser Carla Dunn said.",
        "AP",
    ),
]

# A question only the first story answers, with its answer and title.
PROBE_QUESTION = "How many hives does the Brekkestad beekeeping cooperative keep?"
PROBE_ANSWER = "1,240"
PROBE_TITLE = STORIES[0][2]


def wire_text(city: str, when: str, title: str, body: str, agency: str) -> str:
    return f"{title}\n{city}, {when} — {body}\nAgencies - {agency}\n"


def write_wire_articles(folder: Path) -> list[Path]:
    """Write the stories as `folder/new_NN.txt`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, story in enumerate(STORIES, start=1):
        path = folder / f"new_{i:02d}.txt"
        path.write_text(wire_text(*story), encoding="utf-8")
        paths.append(path)
    return paths

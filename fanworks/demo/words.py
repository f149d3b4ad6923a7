"""Word lists for the demo archive, all invented for Fanworks.

Nothing here names a real book, show or game: the fandoms, their casts and their settings are
made up, and the prose is assembled from these fragments by `fanworks.demo.prose`.
"""

# ---------------------------------------------------------------------------------------------
# Settings ("genres"): each invented fandom belongs to one and borrows its vocabulary.
# Nouns are bare so templates can put "the" or "a" in front of them.

GENRES: dict[str, dict[str, list[str]]] = {
    "lamplight": {
        "place": [
            "workshop", "lantern market", "guildhall", "bell tower", "river stairs",
            "archive vault", "rooftop garden", "glassworks", "wick-maker's loft", "canal bridge",
        ],
        "object": [
            "lantern", "ledger", "brass key", "ward-stone", "tinder box", "spool of copper wire",
            "cracked lens", "commission slip", "oil flask", "sketchbook",
        ],
        "group": ["the Guild", "the night wardens", "the masters' council", "the apprentices"],
        "task": [
            "relight the eastern wards", "finish the commission before the festival",
            "mend the broken lantern", "pass the journeyman trial",
            "find out who had been tampering with the wicks",
        ],
        "food": ["spiced tea", "burnt toast", "barley soup", "honey cakes"],
    },
    "academy": {
        "place": [
            "dormitory", "tide pools", "library", "refectory", "observatory", "boathouse",
            "exam hall", "sea wall", "headmistress's corridor", "east stairwell",
        ],
        "object": [
            "notebook", "tide chart", "conch shell", "uniform jacket", "exam paper",
            "borrowed scarf", "dormitory key", "jar of sea glass", "timetable", "letter from home",
        ],
        "group": ["the faculty", "the prefects", "the rowing team", "the first-years"],
        "task": [
            "pass the practical exam", "sneak out after curfew",
            "win back the house trophy", "finish the tide-reading project",
            "find the missing library book",
        ],
        "food": ["cocoa", "toast with too much butter", "toasted crumpets", "fish stew"],
    },
    "court": {
        "place": [
            "throne room", "long gallery", "rose garden", "council chamber", "chapel",
            "stables", "map room", "servants' passage", "south terrace", "queen's library",
        ],
        "object": [
            "signet ring", "sealed letter", "circlet", "duelling sword", "painted fan", "map",
            "cup of wine", "ledger of debts", "embroidered glove", "chess set",
        ],
        "group": ["the council", "the nine houses", "the royal guard", "the ambassadors"],
        "task": [
            "win the council vote", "keep the peace for one more winter",
            "hide the letter before anyone read it", "survive the summer ball",
            "find the traitor in the guard",
        ],
        "food": ["mulled wine", "candied plums", "pheasant pie", "black bread"],
    },
    "starship": {
        "place": [
            "bridge", "cargo bay", "engine room", "airlock", "galley", "observation deck",
            "medbay", "maintenance shaft", "docking ring", "captain's quarters",
        ],
        "object": [
            "datapad", "wrench", "star chart", "helmet", "ration bar", "power cell",
            "dented thermos", "flight log", "comm unit", "spare coupling",
        ],
        "group": ["the crew", "the patrol", "the station authority", "the salvage guild"],
        "task": [
            "fix the jump drive", "outrun the patrol", "make the next jump",
            "get the cargo to the station on time", "keep the ship in the air",
        ],
        "food": ["reheated noodles", "bitter recaf", "ration stew", "real coffee for once"],
    },
    "smalltown": {
        "place": [
            "diner", "sheriff's station", "lake", "hardware store", "church steps", "motel",
            "radio station", "high school gym", "gas station", "old mill",
        ],
        "object": [
            "coffee mug", "flashlight", "case file", "pickup truck", "casserole dish",
            "cassette tape", "yearbook", "set of keys", "missing poster", "thermos",
        ],
        "group": ["the town council", "the volunteer fire department", "the book club"],
        "task": [
            "find the missing dog", "close the case before the festival",
            "keep the diner open", "figure out what happened at the lake",
            "get through the town meeting",
        ],
        "food": ["diner coffee", "apple pie", "pancakes", "a casserole nobody asked for"],
    },
    "wasteland": {
        "place": [
            "checkpoint", "overpass", "greenhouse", "bunker", "convoy", "ruined mall",
            "water tower", "relay station", "dry riverbed", "market camp",
        ],
        "object": [
            "canteen", "radio", "satchel", "hand-drawn map", "crossbow", "package",
            "pair of boots", "solar lamp", "seed tin", "compass",
        ],
        "group": ["the couriers", "the settlement", "the raiders", "the convoy"],
        "task": [
            "deliver the package", "reach the next settlement before dark",
            "fix the relay", "find clean water", "get everyone home",
        ],
        "food": ["peach cobbler", "flatbread", "weak tea", "something that might be rabbit"],
    },
    "noir": {
        "place": [
            "precinct", "alley", "jazz club", "interrogation room", "rooftop", "docks",
            "records office", "all-night cafe", "rented room", "train station",
        ],
        "object": [
            "case file", "badge", "cigarette case", "revolver", "photograph", "matchbook",
            "typewriter", "hat", "telephone", "ledger",
        ],
        "group": ["the department", "the syndicate", "the night shift", "the press"],
        "task": [
            "crack the case", "find the witness", "keep the story out of the papers",
            "clear a partner's name", "follow the money",
        ],
        "food": ["black coffee", "a cheap sandwich", "eggs and toast", "cold noodles"],
    },
    "football": {
        "place": [
            "locker room", "pitch", "training ground", "team bus", "physio room", "stands",
            "tunnel", "press room", "hotel corridor", "car park",
        ],
        "object": [
            "pair of boots", "captain's armband", "water bottle", "match ball", "kit bag",
            "ice pack", "team sheet", "phone", "medal", "scarf",
        ],
        "group": ["the squad", "the coaching staff", "the supporters", "the press"],
        "task": [
            "win the derby", "survive preseason", "get back from injury",
            "keep the team in the league", "make the starting eleven",
        ],
        "food": ["protein pancakes", "plain pasta", "chips", "a celebration cake"],
    },
    "band": {
        "place": [
            "tour bus", "green room", "rehearsal space", "recording booth", "stage",
            "motel parking lot", "radio studio", "festival field", "loading dock", "backstage",
        ],
        "object": [
            "guitar", "setlist", "mic stand", "amp", "notebook of lyrics", "drumstick",
            "tour laminate", "phone charger", "demo tape", "hoodie",
        ],
        "group": ["the band", "the label", "the road crew", "the fans"],
        "task": [
            "finish the album", "get through the tour", "write one more song",
            "play the festival", "keep the band together",
        ],
        "food": ["coffee", "instant noodles", "throat tea with honey", "cheese toasties"],
    },
    "heroes": {
        "place": [
            "watchtower", "safehouse", "rooftop", "training room", "city hall", "lab",
            "subway tunnel", "hospital corridor", "control room", "harbour",
        ],
        "object": [
            "mask", "comm earpiece", "cape", "first aid kit", "grappling line", "case file",
            "prototype gauntlet", "burner phone", "cup of coffee", "city map",
        ],
        "group": ["the team", "the city", "the villains' union", "the press"],
        "task": [
            "stop the heist", "keep a secret identity", "get the team back together",
            "save the city one more time", "find the mole",
        ],
        "food": ["noodles", "bad coffee", "protein shakes", "birthday cake"],
    },
    "kitchen": {
        "place": [
            "kitchen", "walk-in fridge", "pass", "back alley", "dining room", "dish pit",
            "market", "staff room", "wine cellar", "loading door",
        ],
        "object": [
            "chef's knife", "stockpot", "order ticket", "apron", "tasting spoon", "recipe card",
            "burn cream", "whisk", "menu draft", "clipboard",
        ],
        "group": ["the brigade", "the front of house", "the critics", "the owners"],
        "task": [
            "survive dinner service", "earn the star", "fix the new menu",
            "keep the restaurant open", "get through the inspection",
        ],
        "food": ["staff meal", "a pot of sauce", "fresh bread", "espresso"],
    },
    "orchard": {
        "place": [
            "orchard", "farmhouse kitchen", "barn", "village fair", "mill pond", "bee yard",
            "cider press", "lane", "churchyard", "hayloft",
        ],
        "object": [
            "basket of apples", "pair of pruning shears", "kettle", "letter from town",
            "jar of honey", "lantern", "wool blanket", "seed catalogue", "bicycle", "ledger",
        ],
        "group": ["the village", "the cooperative", "the parish council", "the neighbours"],
        "task": [
            "bring in the harvest", "mend the fence", "save the old orchard",
            "win the fair's pie contest", "keep the farm afloat",
        ],
        "food": ["apple cake", "strong tea", "bread and cheese", "cider"],
    },
}  # fmt: skip

# The twelve hand-made fandoms: name, setting, naming style.
FANDOMS: list[tuple[str, str, str]] = [
    ("The Lanternwright Cycle", "lamplight", "lilting"),
    ("Saltmarrow Academy", "academy", "modern"),
    ("Ninefold Crown", "court", "lilting"),
    ("Starwake Drift (Video Game)", "starship", "clipped"),
    ("Hollow Pines County (TV)", "smalltown", "modern"),
    ("Ashfall Couriers", "wasteland", "clipped"),
    ("Copperline Precinct (TV)", "noir", "modern"),
    ("Kestrel Fields FC (Web Series)", "football", "modern"),
    ("The Velvet Static (Anime)", "band", "modern"),
    ("Larkspur Vanguard (Comics)", "heroes", "clipped"),
    ("Glasshouse Kitchen (TV)", "kitchen", "modern"),
    ("Thistledown Orchard", "orchard", "lilting"),
]

# Extra fandoms for big archives are built from these.
FANDOM_FIRST = [
    "Amber", "Bramble", "Cinder", "Driftwood", "Ember", "Fern", "Gilded", "Harbour", "Iron",
    "Juniper", "Kindle", "Larch", "Marble", "Northwind", "Oaken", "Pale", "Quill", "Russet",
    "Silver", "Tallow", "Umber", "Velvet", "Willow", "Yarrow", "Zephyr", "Moth", "Rain",
    "Tinder", "Heron", "Sable", "Clockwork", "Lantern", "Paper", "Saffron", "Winter",
]  # fmt: skip
FANDOM_SECOND = [
    "Bay", "Crossing", "Station", "Hollow", "Reach", "Court", "Road", "Garden", "Circuit",
    "Academy", "Tower", "Harbour", "Heights", "Parish", "Frontier", "Chronicles", "Saga",
    "Files", "Line", "Company", "Society", "Assembly", "Choir", "Expedition", "Almanac",
]  # fmt: skip
FANDOM_MEDIUM = [
    "", "", "", " (TV)", " (Video Game)", " (Anime)", " (Comics)", " (Podcast)", " (Web Series)",
    " (Visual Novel)", " (Radio Drama)",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Names

LILTING_STARTS = [
    "Ae", "Bri", "Cae", "Eli", "Ila", "Lio", "Mae", "Nia", "Ori", "Sela", "Tam", "Vio", "Yse",
    "Ari", "Luma", "Ser", "Cal", "Fen", "Iri", "Oda", "Rhi", "Thal", "Wyl", "Esa", "Mira",
    "Lis", "Ven", "Ama", "Coru", "Dae",
]  # fmt: skip
LILTING_ENDS = [
    "ra", "n", "el", "wyn", "sa", "lie", "ric", "th", "ne", "ssa", "ndor", "o", "ria", "las",
    "nel", "ven", "dra", "mir", "ise", "an",
]  # fmt: skip
CLIPPED_STARTS = [
    "Bram", "Kes", "Tor", "Dax", "Jor", "Ket", "Rook", "Hal", "Vik", "Ost", "Brin", "Gat", "Cor",
    "Zeph", "Nov", "Cas", "Ryn", "Tal", "Sab", "Kad", "Ved", "Lux", "Ren", "Pax", "Ivo",
]  # fmt: skip
CLIPPED_ENDS = ["", "", "ek", "an", "ric", "ett", "o", "en", "is", "ka", "a", "y", "e", "ix"]

MODERN_GIVEN_F = [
    "Maya", "Priya", "Ines", "Hannah", "Amara", "Lucia", "Nadia", "Rosa", "Freya", "Yuki",
    "Zara", "Clara", "Imogen", "Tessa", "Leila", "Marta", "Nell", "Greta", "June", "Ada",
]  # fmt: skip
MODERN_GIVEN_M = [
    "Theo", "Jonah", "Mateo", "Arjun", "Felix", "Tomas", "Ezra", "Kofi", "Callum", "Hugo",
    "Rafael", "Owen", "Daniel", "Luca", "Idris", "Ben", "Elliot", "Marco", "Silas", "Kenji",
]  # fmt: skip
MODERN_GIVEN_N = ["Sam", "Rowan", "Alex", "Jules", "Robin", "Kit", "Avery", "Charlie", "Remy"]
MODERN_FAMILY = [
    "Okafor", "Lindqvist", "Moreau", "Castillo", "Hart", "Brennan", "Nakamura", "Adeyemi",
    "Kowalski", "Reyes", "Whitlock", "Sandoval", "Achterberg", "Mbeki", "Fairweather",
    "Rasmussen", "Quintero", "Holloway", "Varga", "Osei", "Delacroix", "Petrakis", "Lund",
    "Abernathy", "Sato", "Ferreira", "Novak", "Ashby", "Kaur", "Marsh",
]  # fmt: skip
FAMILY_FIRST = [
    "Ash", "Thorn", "Vell", "Marrow", "Glass", "Hollow", "Brook", "Wick", "Fen", "Rill", "Crane",
    "Hale", "Wren", "Storm", "Black", "Gold", "Lark", "Moss", "Dun", "Frost",
]  # fmt: skip
FAMILY_SECOND = [
    "wood", "more", "ford", "ley", "wright", "hart", "fall", "well", "bury", "mere", "stone",
    "vane", "field", "combe", "wick", "gate",
]  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Usernames and pseuds

HANDLE_ADJECTIVES = [
    "quiet", "sleepy", "velvet", "paper", "tidal", "wandering", "lunar", "rusty", "gentle",
    "feral", "tiny", "cosmic", "salty", "dusky", "clever", "restless", "honey", "inky", "misty",
    "golden", "crooked", "hollow", "lucky", "stormy", "sunny", "spare", "midnight", "soft",
    "bright", "wild", "sour", "late", "lost", "second", "brave", "odd", "blue", "green",
]  # fmt: skip
HANDLE_NOUNS = [
    "lantern", "teacup", "moth", "quill", "otter", "comet", "fern", "harbour", "kettle", "raven",
    "thimble", "acorn", "orbit", "biscuit", "heron", "violin", "satchel", "ember", "pigeon",
    "marmalade", "cactus", "compass", "sparrow", "dumpling", "meadow", "nebula", "pebble",
    "radish", "scarf", "toast", "walrus", "yarn", "zinnia", "badger", "cloud", "daisy", "fox",
    "gull", "inkwell", "jam", "kite", "lemon", "mitten", "noodle", "owl", "pocket", "reader",
    "writer", "scribbler", "gremlin", "goblin", "wraith", "ghost", "dragon", "snail",
]  # fmt: skip
PSEUD_DESCRIPTIONS = [
    "Where I put the long ones.",
    "Old fic lives here.",
    "Mostly fluff, occasionally not.",
    "Exchange gifts and drabbles.",
    "Crossovers nobody asked for.",
    "The angst pseud.",
    "Collaborations with friends.",
    "",
    "",
]

# ---------------------------------------------------------------------------------------------
# Additional ("freeform") tags, most popular first. Generic trope and mood phrases.

FREEFORMS = [
    "Fluff", "Angst", "Hurt/Comfort", "Slow Burn", "Found Family", "Friendship",
    "Angst with a Happy Ending", "Established Relationship", "Humor", "Romance",
    "Alternate Universe - Modern Setting", "Post-Canon", "Canon Divergence", "Pining",
    "Mutual Pining", "Fluff and Angst", "Friends to Lovers", "Enemies to Lovers",
    "Minor Character Death", "Sharing a Bed", "Domestic Fluff", "Missing Scene",
    "Character Study", "Introspection", "Drabble", "Slice of Life", "Emotional Hurt/Comfort",
    "Getting Together", "Misunderstandings", "Idiots in Love", "Banter", "Hand Holding",
    "First Kiss", "Nightmares", "Injury Recovery", "Protectiveness", "Jealousy", "Grief/Mourning",
    "Trauma", "Found Family Feels", "Road Trip", "Snowed In", "Fake Dating", "Secret Relationship",
    "Time Travel", "Alternate Universe - Coffee Shop", "Alternate Universe - College/University",
    "Alternate Universe - Fantasy", "Alternate Universe - Soulmates", "Soulmates",
    "Christmas", "Halloween", "Birthday", "Rain", "Tea", "Cooking", "Baking", "Letters",
    "Epistolary", "Dialogue Heavy", "Open to Interpretation", "Ambiguous Relationship",
    "Unrequited Love", "Happy Ending", "Sad Ending", "Bittersweet Ending", "Open Ending",
    "Comfort Food", "Cuddling & Snuggling", "Kissing", "Tooth-Rotting Fluff", "Dark",
    "Dark Themes", "Horror", "Mystery", "Adventure", "Action/Adventure", "Politics",
    "Worldbuilding",
    "Magic", "Religion", "Dreams", "Memory Loss", "Amnesia", "Sickfic", "Caretaking",
    "Temporary Character Death", "Resurrection", "Redemption", "Forgiveness", "Reunions",
    "Long-Distance Relationship", "Love Confessions", "Love Letters", "Marriage Proposal",
    "Wedding", "Getting Back Together", "Breakup", "Moving On", "Family Drama", "Siblings",
    "Parenthood", "Kid Fic", "Pets", "Cats", "Dogs", "Music", "Dancing", "Stargazing",
    "Beach Episode", "Summer", "Winter", "Autumn", "Spring", "Insomnia", "Late at Night",
    "Phone Calls", "Texting", "Social Media", "Rivals to Lovers", "Strangers to Lovers",
    "Meet-Cute", "Second Chances", "Pre-Canon", "Canon Compliant", "Canon-Typical Violence",
    "Blood and Injury", "Poetry", "Crack", "Crack Treated Seriously", "Parody", "Not Beta Read",
    "We Die Like Men", "One Shot", "Ficlet", "Short & Sweet", "Character Death Fix-It",
    "Fix-It", "Everyone Lives", "Nobody Dies", "Gen", "POV Second Person", "POV Outsider",
    "Multiple POVs", "Unreliable Narrator", "Flashbacks", "Time Loop", "Body Swap",
    "Secret Identity", "Undercover", "Heist", "Prison Break", "Survival", "Apocalypse",
    "Spies", "Ghosts", "Witches", "Vampires", "Mermaids", "Dragons", "Fairy Tale Elements",
    "Folklore", "Mythology", "Historical", "Future Fic", "Five Times", "Five Plus One",
]  # fmt: skip

# Another spelling that wranglers made a synonym of a canonical tag above.
FREEFORM_SYNONYMS = {
    "Slowburn": "Slow Burn",
    "hurt and comfort": "Hurt/Comfort",
    "Fluffy Fluff": "Fluff",
    "found fam": "Found Family",
    "Enemies-to-Lovers": "Enemies to Lovers",
    "5+1": "Five Plus One",
    "AU - Coffee Shop": "Alternate Universe - Coffee Shop",
}

# Metatags wranglers set up: filtering on the metatag finds works tagged with any subtag.
FREEFORM_METATAGS = {
    "Alternate Universe": [
        "Alternate Universe - Modern Setting", "Alternate Universe - Coffee Shop",
        "Alternate Universe - College/University", "Alternate Universe - Fantasy",
        "Alternate Universe - Soulmates",
    ],
    "Fluff": ["Tooth-Rotting Fluff", "Domestic Fluff"],
    "Hurt/Comfort": ["Emotional Hurt/Comfort"],
}  # fmt: skip

# Media a fandom belongs to, from the medium its name ends with.
MEDIA = {
    " (TV)": "TV Shows",
    " (Video Game)": "Video Games",
    " (Visual Novel)": "Video Games",
    " (Anime)": "Anime & Manga",
    " (Comics)": "Comics & Graphic Novels",
    " (Podcast)": "Podcasts & Radio Dramas",
    " (Radio Drama)": "Podcasts & Radio Dramas",
    " (Web Series)": "Web Series",
    "": "Books & Literature",
}

# Per-character additional tags; "{name}" is the character's full name.
CHARACTER_FREEFORMS = [
    "{name} Needs a Hug", "Protective {name}", "Jealous {name}", "{name} Has Feelings",
    "{name} Is Bad at Feelings", "Soft {name}", "Hurt {name}", "{name}-centric",
    "{name} Deserves Better", "Competent {name}", "{name} Gets a Break", "Sassy {name}",
]  # fmt: skip

# Per-setting alternate-universe tags.
SETTING_FREEFORMS = {
    "lamplight": ["Guild Politics", "Apprenticeship", "Festival of Lights"],
    "academy": ["Boarding School", "Exams", "Roommates"],
    "court": ["Court Intrigue", "Arranged Marriage", "Royalty"],
    "starship": ["Space Pirates", "Stranded", "Zero Gravity"],
    "smalltown": ["Small Town", "Mystery Solving", "Diners"],
    "wasteland": ["Post-Apocalypse", "Scavenging", "Found Family on the Road"],
    "noir": ["Police Procedural", "Partners", "Stakeout"],
    "football": ["Sports", "Locker Room", "Match Day"],
    "band": ["Band Fic", "On Tour", "Songwriting"],
    "heroes": ["Superheroes", "Vigilantism", "Secret Identities"],
    "kitchen": ["Restaurants", "Cooking Competitions", "Workplace Drama"],
    "orchard": ["Cottagecore", "Farm Life", "Village Life"],
}

# ---------------------------------------------------------------------------------------------
# Titles

TITLE_NOUNS = [
    "lantern", "tide", "ember", "orbit", "thread", "harbour", "hollow", "river", "signal",
    "promise", "winter", "garden", "map", "anchor", "ghost", "letter", "bridge", "song",
    "storm", "spark", "window", "feather", "mirror", "shore", "crown", "candle", "road",
    "star", "key", "lighthouse", "ribbon", "weather", "current", "tether", "chorus", "rooftop",
]  # fmt: skip
TITLE_ADJECTIVES = [
    "quiet", "small", "borrowed", "bright", "salt-worn", "unspoken", "late", "heavy", "golden",
    "restless", "gentle", "hollow", "silver", "last", "second", "distant", "patient", "crooked",
    "slow", "wild", "ordinary", "impossible", "tender", "long", "burning", "lost", "waking",
]  # fmt: skip
TITLE_VERBS_ING = [
    "Counting", "Keeping", "Mending", "Chasing", "Holding", "Finding", "Carrying", "Weathering",
    "Learning", "Building", "Waiting for", "Outrunning", "Remembering", "Naming", "Following",
]  # fmt: skip
TITLE_VERBS_PAST = [
    "Kept", "Lost", "Carried", "Left Behind", "Burned", "Mended", "Forgot", "Found", "Promised",
    "Built", "Heard", "Said",
]  # fmt: skip
TITLE_PATTERNS = [
    "The {Adj} {Noun}",
    "{Noun} and {Noun}",
    "{Verb_ing} the {Noun}",
    "What We {Verb_past}",
    "A {Noun} of {Noun}s",
    "{Noun}",
    "Under the {Adj} {Noun}",
    "{adj} {noun}s",
    "if the {noun} holds",
    "All the {Adj} {Noun}s",
    "{Verb_ing} {Noun}s",
    "The {Noun} We {Verb_past}",
    "Five Times {A} Almost Said It",
    "{A} and the {Adj} {Noun}",
    "Everything {Verb_past}",
    "{Adj} as {Noun}s",
    "By {Noun} and {Noun}",
    "Small Hours",
    "the {noun}, the {noun}, the {noun}",
    "Nine Days at the {Place}",
]
CHAPTER_TITLE_PATTERNS = [
    "{Noun}",
    "The {Adj} {Noun}",
    "{Verb_ing} the {Noun}",
    "In Which {A} Makes a Decision",
    "Part {n}",
    "{Adj}",
    "At the {Place}",
    "{A}",
    "{Noun} and {Noun}",
]

# ---------------------------------------------------------------------------------------------
# Summaries and notes (English). Names and pronouns are format keys; [slots] are vocabulary.

SUMMARIES = [
    "{A} has exactly one week to [task]. {B} is not helping.",
    "Five times {A} almost told {B} the truth, and the one time {As} did.",
    "In which there is a [object], a great deal of bad weather, and {A} refuses to admit anything.",
    "{B} comes back from the [place]. Nobody is ready, least of all {A}.",
    "A quiet evening at the [place] goes sideways.",
    "{A} and {B}, and the long way round to the [place].",
    "It was supposed to be simple: [task]. It was not simple.",
    "{A} keeps a list of everything {As} can't say out loud. {B} finds it.",
    "After everything, {A} just wants to sleep for a week. {B} has other plans.",
    "Missing scene. {A} and {B} talk, finally.",
    "The one where {A} learns to cook, badly, and {B} eats it anyway.",
    "{C} is tired of watching {A} and {B} dance around each other.",
    "Nobody warned {A} that [task] would involve {B}.",
    "Snowed in at the [place] with {B}. What could go wrong?",
    "{A} has a [object], a plan, and absolutely no backup.",
    "Some things break. Some things can be mended. {A} is still working out which is which.",
    "{B} wasn't meant to find out like this.",
    "A study of {A}, in seven small moments.",
    "Everyone in [group] has an opinion about {A} and {B}. None of them are right.",
    "The war is over. {A} doesn't know what to do with {Ap} hands.",
]
SUMMARY_TAILS = [
    "",
    "",
    "",
    " Rated for later chapters.",
    " Updates on weekends, probably.",
    " Complete!",
    " Now with a bonus epilogue.",
    " (Title from a song I had on repeat while writing.)",
    " Please mind the tags.",
]
NOTES = [
    "Written for an exchange. I hope you like it!",
    "This started as a drabble and got away from me.",
    "Thank you to my wonderful beta, who caught all my comma crimes.",
    "Not beta read, so all mistakes are mine.",
    "I have been thinking about this scene since the finale.",
    "Set somewhere in the middle of the second arc. Mild spoilers for everything before it.",
    "First time posting in this fandom, please be gentle.",
    "Happy birthday to my best friend, who demanded this.",
    "Inspired by a prompt from the fandom's weekly challenge.",
    "Loosely connected to my other fic, but you don't need to read that one first.",
    "Content notes are in the end notes if you'd like to check them.",
    "Written in one sitting at two in the morning.",
    "This is a gift for someone who deserves more fluff in their life.",
    "English is not my first language; corrections are welcome.",
    "Posting this before I lose my nerve.",
]
END_NOTES = [
    "Thank you for reading! Comments and kudos make my day.",
    "Come and say hello on my blog, I'm always happy to talk about these two.",
    "I might write a sequel if people want one.",
    "Content notes: brief descriptions of injury, nothing graphic.",
    "That's it, that's the fic. Thank you for coming along.",
    "The next part is already half written.",
    "I cried writing this, so it's only fair.",
    "Let me know what you thought!",
]
CHAPTER_NOTES = [
    "Sorry this one took so long!",
    "A short one this time.",
    "Thank you all for the lovely comments on the last chapter.",
    "Warning for a brief fight scene.",
    "This is where things start to get complicated.",
    "Almost there now.",
]
EXCHANGE_NAMES = ["Winter Lanterns", "Summer Swap", "Small Fandoms", "Rarepair Week"]

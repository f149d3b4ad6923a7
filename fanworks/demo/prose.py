"""Invented prose: a small sentence grammar over the demo word lists.

Paragraphs are built once per (language, setting) into a pool. A pool paragraph keeps three
character slots as `str.format` keys ({A}, {B}, {C} for first names, {As}/{AS} for the subject
pronoun in lower/upper case, {Ao} object, {Ap}/{AP} possessive, {Ar} reflexive, {Awas}
was/were, and the same for B), so one pool serves every work of that setting: a chapter is a
sample of pool paragraphs with the work's own characters filled in.

Each pool paragraph also keeps its sanitised HTML (from `sanitize_html`) and its word count,
so a chapter's HTML and count are joins and sums. Names are single words of letters, which
leaves both unchanged by the substitution; the demo tests check every generated chapter
against `sanitize_html` and `count_words_in_html` to keep this honest.
"""

import bisect
import itertools
import random
import re
from dataclasses import dataclass
from functools import lru_cache

from fanworks.analysis.text.wordcount import count_words_in_html
from fanworks.core.sanitize import sanitize_html
from fanworks.demo import words

SCENE_BREAK = "<hr />"

# ---------------------------------------------------------------------------------------------
# English

WEATHER = [
    "rain", "fog", "first snow", "wind off the water", "evening light", "heat", "thunder",
    "grey morning", "drizzle", "frost",
]  # fmt: skip
TIMES = [
    "the night before", "dawn", "the end of the week", "the argument", "the last time",
    "midnight", "the funeral", "the festival", "the first week", "that winter",
]  # fmt: skip
FEELINGS = [
    "relief", "dread", "something like hope", "a familiar ache", "embarrassment", "fondness",
    "anger", "guilt", "an odd sort of calm", "homesickness", "panic", "gratitude",
]  # fmt: skip
SOUNDS = [
    "footsteps", "a door closing somewhere", "the kettle", "distant laughter", "the rain",
    "a dog barking", "someone humming", "the clock", "the wind", "voices in the corridor",
]  # fmt: skip
ADVERBS = [
    "quietly", "patiently", "for a long moment", "without complaint", "stubbornly",
    "a while longer", "in silence", "as long as it took",
]  # fmt: skip

# Composed sentences: [opener] subject action [tail]. Thousands of combinations, so a long
# chapter does not keep meeting the same sentence.
OPENERS = [
    "Later,", "By morning,", "For a while,", "Without a word,", "After that,", "In the end,",
    "Just then,", "Eventually,", "Before long,", "Once,", "That evening,", "At first,",
    "Somehow,", "Half an hour later,", "Meanwhile,", "On the third day,",
]  # fmt: skip
ACTIONS = [
    "walked to the [place]", "waited by the [place]", "picked up the [object]",
    "put the [object] back where it belonged", "checked the [object] again",
    "stared at the [object] for too long", "crossed the [place] in a few long strides",
    "sat down at the far end of the [place]", "shared [food] with the others",
    "listened to [sound]", "thought about [time]", "let out a slow breath", "closed the door",
    "opened the window", "counted the hours", "laughed despite everything",
    "went looking for the others", "read the same line three times", "pulled on a coat",
    "turned the lamp down", "kept walking", "stopped in the doorway", "found the [object]",
    "lost track of time in the [place]", "swept the floor of the [place]",
    "wrapped the [object] in a scarf", "tried to remember what came next",
    "made a list of everything that could go wrong", "fell asleep in the [place]",
    "left a note on the [object]", "stood very still", "took the long way round",
    "argued with [group]", "ignored [group] entirely", "said goodnight to no one in particular",
    "hummed something tuneless", "hid the [object]", "fixed what could be fixed",
    "watched the [weather]", "sent word to [group]",
]  # fmt: skip
TAILS = [
    ", which helped", ", which did not help", " while the [weather] went on outside",
    " until the [weather] eased", " without looking back", " and said nothing", " [adv]",
    " as if nothing had happened", " and felt [feeling]", ", for what it was worth",
    " because there was nothing else to do", " long after the others had gone",
]  # fmt: skip

NARRATION = [
    "{A} stood at the edge of the [place], watching the [weather] roll in.",
    "{B} had been quiet since [time].",
    "Neither of them mentioned the [object].",
    "{AS} turned the [object] over in {Ap} hands and said nothing.",
    "The [place] smelled of [food] and old dust.",
    "It was late, and {A} was tired, and {B} was still talking.",
    "{A} had meant to leave an hour ago.",
    "Somewhere below them, [group] were arguing again.",
    "{B} set down the [object] with more care than it needed.",
    "There was [feeling] in it, and {A} didn't know what to do with that.",
    "{AS} counted to ten, then to twenty, and it didn't help.",
    "The [weather] had not let up all day.",
    "{A} found {Ar} at the [place] without quite deciding to go there.",
    "{B} looked up, and for a moment neither of them moved.",
    "It was <em>not</em> fine, but {A} said it was anyway.",
    "{BS} had a way of taking up the whole room without saying a word.",
    "By the time {A} reached the [place], {B} was already there.",
    "{A} tried not to think about [time].",
    "They had a system, more or less, and it mostly worked.",
    "The silence stretched until it was almost comfortable.",
    "{AP} hands were shaking; {As} hid them in {Ap} pockets.",
    "{B} made [food] for both of them without asking.",
    "Outside, [sound] rose and fell.",
    "{A} had rehearsed this conversation a dozen times, and none of the versions went like this.",
    "{B} laughed, short and surprised, and {A} wanted to hear it again.",
    "Nothing about the [object] was right, and {C} had noticed first.",
    "{C} gave them both a long look and left without comment.",
    "{AS} had promised {Ar} {As} would not do this again.",
    "The plan had been simple: [task].",
    "{A} was good at a great many things. Waiting was not one of them.",
    "There was a crack in the window of the [place], and the cold came through it.",
    "{BS} leaned against the wall and waited [adv].",
    "For a long time the only sound was [sound].",
    "{A} remembered the [object] and felt [feeling] all over again.",
    "It took {B} three tries to get the words out.",
    "{A} pretended not to notice, which was its own kind of answer.",
    "The [place] was empty at this hour, which was the point.",
    "{AS} had known {B} for years, and {As} still couldn't read {Bo}.",
    "Later, {A} would think that this was the moment everything changed.",
    "Not that {As} would ever admit it.",
    "{B} handed over the [object] without a word.",
    "It was easier, somehow, in the dark.",
    "{C} had warned them both. Nobody had listened.",
    "{A} was halfway through an apology before {As} knew what it was for.",
    "Everything in the [place] was exactly where {B} had left it.",
    "The [weather] pressed against the glass.",
    "{AS} thought about what it would take to [task] and felt [feeling].",
    "{BS} smelled of [weather] and smoke.",
    "They had been here before, in one way or another.",
    "{A} let the door fall shut behind {Ao}.",
    "It should not have been funny. It was a little funny.",
    "{B} pressed the [object] into {Ap} hands and closed {Ap} fingers around it.",
    "{A} watched {Bo} go, and did not call after {Bo}, and hated {Ar} for it.",
    "Nobody from [group] came looking for them, which was either a mercy or a warning.",
    "{AS} <em>had</em> been listening. That was the problem.",
    "The light in the [place] had gone gold and soft.",
    "{C} was asleep across two chairs, snoring faintly.",
    "{A} had never been good at asking for help.",
    "{B} wrote something down, crossed it out, and wrote it again.",
    "Three days. That was all they had left to [task].",
    "The [object] was heavier than {A} remembered.",
    "{BS} smiled at {Ao}, small and crooked and real.",
    "In the end, it was {C} who said what all of them were thinking.",
    "The road back to the [place] had never felt so long.",
    "{A} took a breath, and then another, and then {As} knocked.",
    "{BS} {Bwas} still there in the morning.",
    "{AS} {Awas} not, {As} decided, going to cry in the [place].",
    "Whatever {B} had expected, it wasn't this.",
]
DIALOGUE = [
    "You could have told me.",
    "I'm fine.",
    "Are you going to stand there all night?",
    "Don't look at me like that.",
    "Is that blood?",
    "Go to sleep. I'll keep watch.",
    "Say that again.",
    "You never said.",
    "I was going to tell you.",
    "Where did you even find this?",
    "It's late.",
    "You kept the [object]?",
    "We'll figure it out.",
    "That's not an answer.",
    "I know what I saw.",
    "Are we really doing this?",
    "You should sit down.",
    "Nobody else knows.",
    "Can you trust me for five minutes?",
    "Try not to die before dinner.",
    "Meet me at the [place].",
    "You have a terrible sense of timing.",
    "I hate it when you're right.",
    "It's only for one night.",
    "Who taught you that?",
    "I don't need rescuing.",
    "Then what do you need?",
    "I'm still angry with you.",
    "Hold still.",
    "It's going to be all right.",
    "I don't know how to do this.",
    "Neither do I.",
    "That's not what I meant, and you know it.",
    "We don't have time for this.",
    "Stay. Just for a bit.",
    "Since when do you care?",
    "I kept it. I don't know why.",
    "Tell me I'm wrong.",
    "You look terrible.",
    "Thank you. I mean it.",
    "Did you eat today?",
    "It wasn't your fault.",
    "I thought you'd left.",
    "We should go back.",
    "Don't do that.",
    "What happened?",
    "I'm not sorry.",
    "You'd do the same for me.",
    "How long have you known?",
    "Give me five minutes.",
    "Is this about the [object]?",
    "We need to talk about the [place].",
    "I can't do this without you.",
    "That's the worst plan I've ever heard.",
    "It's the only plan we have.",
    "Come here.",
    "You're shaking.",
    "I'll be right here.",
    "Promise me.",
    "Why didn't you say something?",
    "Of course I came back.",
    "Well, that went well.",
    "You're impossible.",
    "Ask me again tomorrow.",
    "Who told you?",
    "Please.",
    "I missed you, you idiot.",
    "Can we not do this right now?",
    "I'm not leaving.",
]
SAID = [
    "said", "said", "said", "said quietly", "murmured", "admitted", "muttered", "said at last",
    "said after a moment", "replied",
]  # fmt: skip
ASKED = ["asked", "asked", "asked quietly", "wanted to know", "said"]
BEATS = [
    "{AS} didn't look up.",
    "{BS} didn't answer.",
    "{A} huffed out a breath.",
    "{B} looked away.",
    "{A} rubbed a hand over {Ap} face.",
    "{B} crossed {Bp} arms.",
    "{A} waited.",
    "Something in {Bp} expression shifted.",
    "{A} almost smiled.",
    "{B} shook {Bp} head.",
    "There was a long pause.",
    "{A} swallowed.",
]

# ---------------------------------------------------------------------------------------------
# Other languages: names only (no pronouns, no adjectives that agree), so any cast fits.

FOREIGN: dict[str, dict[str, list[str]]] = {
    "es": {
        "narration": [
            "{A} miró por la ventana y no dijo nada.",
            "{B} llegó tarde, como siempre.",
            "La lluvia no paró en toda la noche.",
            "{A} guardó la carta en el bolsillo.",
            "Nadie habló durante un largo rato.",
            "{B} preparó café para los dos sin preguntar.",
            "{C} los observaba desde la puerta.",
            "Hacía frío, y el camino de vuelta era largo.",
            "{A} quería decir algo, pero no encontró las palabras.",
            "{B} se rió en voz baja.",
            "Al final, fue {C} quien rompió el silencio.",
            "{A} cerró los ojos un momento.",
            "Las luces del puerto temblaban sobre el agua.",
            "{B} tomó la mano de {A} y no la soltó.",
        ],
        "dialogue": ["No te vayas.", "¿Dónde estabas?", "Lo siento.", "Quédate un rato más."],
        "said": ["dijo", "susurró"],
        "asked": ["preguntó"],
        "titles": ["Lo que no dijimos", "La última luz", "Después de la lluvia", "Cartas al mar"],
        "summary": ["{A} y {B}, una noche de lluvia.", "{A} vuelve a casa. Nada es igual."],
    },
    "fr": {
        "narration": [
            "{A} regarda par la fenêtre sans rien dire.",
            "{B} arriva en retard, comme toujours.",
            "La pluie ne cessa pas de la nuit.",
            "{A} glissa la lettre dans sa poche.",
            "Personne ne parla pendant un long moment.",
            "{B} prépara du thé pour tous les deux.",
            "{C} les observait depuis le seuil.",
            "Il faisait froid, et le chemin du retour était long.",
            "{A} voulait dire quelque chose, mais les mots ne venaient pas.",
            "{B} rit doucement.",
            "À la fin, ce fut {C} qui rompit le silence.",
            "Les lumières du port tremblaient sur l'eau.",
            "{B} prit la main de {A} et ne la lâcha plus.",
        ],
        "dialogue": ["Ne pars pas.", "Où étais-tu ?", "Je suis désolé.", "Reste encore un peu."],
        "said": ["dit", "murmura"],
        "asked": ["demanda"],
        "titles": ["Ce que nous n'avons pas dit", "La dernière lumière", "Après la pluie"],
        "summary": ["{A} et {B}, une nuit de pluie.", "{A} rentre chez soi. Rien n'a changé."],
    },
    "de": {
        "narration": [
            "{A} sah aus dem Fenster und sagte nichts.",
            "{B} kam zu spät, wie immer.",
            "Der Regen hörte die ganze Nacht nicht auf.",
            "{A} steckte den Brief in die Tasche.",
            "Lange Zeit sprach niemand.",
            "{B} kochte Tee für beide, ohne zu fragen.",
            "{C} beobachtete sie von der Tür aus.",
            "Es war kalt, und der Weg zurück war weit.",
            "{A} wollte etwas sagen, aber die Worte fehlten.",
            "{B} lachte leise.",
            "Am Ende brach {C} das Schweigen.",
            "Die Lichter des Hafens zitterten auf dem Wasser.",
            "{B} nahm die Hand von {A} und ließ sie nicht mehr los.",
        ],
        "dialogue": ["Geh nicht.", "Wo warst du?", "Es tut mir leid.", "Bleib noch ein bisschen."],
        "said": ["sagte", "flüsterte"],
        "asked": ["fragte"],
        "titles": ["Was wir nicht sagten", "Das letzte Licht", "Nach dem Regen"],
        "summary": ["{A} und {B} in einer Regennacht.", "{A} kommt nach Hause. Nichts ist gleich."],
    },
    "pt-BR": {
        "narration": [
            "{A} olhou pela janela e não disse nada.",
            "{B} chegou atrasado, como sempre.",
            "A chuva não parou a noite inteira.",
            "{A} guardou a carta no bolso.",
            "Ninguém falou por um bom tempo.",
            "{B} fez café para os dois sem perguntar.",
            "{C} observava os dois da porta.",
            "Fazia frio, e o caminho de volta era longo.",
            "{A} queria dizer alguma coisa, mas as palavras não vinham.",
            "{B} riu baixinho.",
            "No fim, foi {C} quem quebrou o silêncio.",
            "As luzes do porto tremiam sobre a água.",
        ],
        "dialogue": ["Não vai embora.", "Onde você estava?", "Desculpa.", "Fica mais um pouco."],
        "said": ["disse", "sussurrou"],
        "asked": ["perguntou"],
        "titles": ["O que não dissemos", "A última luz", "Depois da chuva"],
        "summary": ["{A} e {B}, numa noite de chuva.", "{A} volta para casa. Nada é igual."],
    },
    "it": {
        "narration": [
            "{A} guardò fuori dalla finestra senza dire nulla.",
            "{B} arrivò in ritardo, come sempre.",
            "La pioggia non smise per tutta la notte.",
            "{A} mise la lettera in tasca.",
            "Per molto tempo nessuno parlò.",
            "{B} preparò il tè per entrambi senza chiedere.",
            "{C} li osservava dalla porta.",
            "Faceva freddo, e la strada del ritorno era lunga.",
            "{A} voleva dire qualcosa, ma le parole non arrivavano.",
            "Alla fine fu {C} a rompere il silenzio.",
            "Le luci del porto tremavano sull'acqua.",
        ],
        "dialogue": ["Non andare.", "Dove eri?", "Mi dispiace.", "Resta ancora un po'."],
        "said": ["disse", "sussurrò"],
        "asked": ["chiese"],
        "titles": ["Quello che non abbiamo detto", "L'ultima luce", "Dopo la pioggia"],
        "summary": ["{A} e {B}, una notte di pioggia.", "{A} torna a casa. Niente è uguale."],
    },
    "zh": {
        "narration": [
            "{A}望着窗外，什么也没说。",
            "{B}又来晚了。",
            "雨下了一整夜。",
            "{A}把信放进了口袋。",
            "很久都没有人说话。",
            "{B}没有问，就泡了两杯茶。",
            "{C}站在门口看着他们。",
            "天很冷，回去的路还很长。",
            "{A}想说些什么，却找不到合适的话。",
            "最后还是{C}打破了沉默。",
            "港口的灯光在水面上摇晃。",
        ],
        "dialogue": ["别走。", "你去哪儿了？", "对不起。", "再待一会儿吧。"],
        "said": ["说", "轻声说"],
        "asked": ["问"],
        "titles": ["没说出口的话", "最后的灯光", "雨后"],
        "summary": ["{A}和{B}，一个下雨的夜晚。", "{A}回家了，一切都变了。"],
    },
    "ja": {
        "narration": [
            "{A}は窓の外を見つめたまま、何も言わなかった。",
            "{B}はいつものように遅れてきた。",
            "雨は一晩中降り続いた。",
            "{A}は手紙をポケットにしまった。",
            "長い間、誰も口を開かなかった。",
            "{B}は何も聞かずにお茶を二人分いれた。",
            "{C}は戸口から二人を見ていた。",
            "寒くて、帰り道はまだ長かった。",
            "最後に沈黙を破ったのは{C}だった。",
            "港の明かりが水面で揺れていた。",
        ],
        "dialogue": ["行かないで。", "どこにいたの？", "ごめん。", "もう少しだけいて。"],
        "said": ["言った", "ささやいた"],
        "asked": ["聞いた"],
        "titles": ["言えなかったこと", "最後の灯り", "雨のあとで"],
        "summary": ["{A}と{B}、雨の夜。", "{A}が帰ってきた。何もかも変わっていた。"],
    },
}
# Where the speech tag goes relative to the quote, and which quote marks the language uses.
QUOTES = {
    "es": ("—", "", " —{said} {X}."),
    "fr": ("« ", " »", ", {said} {X}."),
    "de": ("„", "“", ", {said} {X}."),
    "pt-BR": ("— ", "", " — {said} {X}."),
    "it": ("«", "»", ", {said} {X}."),
    "zh": ("“", "”", "{X}{said}。"),
    "ja": ("「", "」", "と{X}は{said}。"),
}
CJK_LANGUAGES = {"zh", "ja"}

_SLOT = re.compile(r"\[(\w+)\]")
_PLACEHOLDER_NAMES = {
    "A": "Name", "B": "Name", "C": "Name",
    "As": "she", "AS": "She", "Ao": "her", "Ap": "her", "AP": "Her", "Ar": "herself",
    "Awas": "was",
    "Bs": "he", "BS": "He", "Bo": "him", "Bp": "his", "BP": "His", "Br": "himself",
    "Bwas": "was",
}  # fmt: skip


@dataclass(frozen=True)
class Paragraph:
    raw: str  # format template of the author's text
    html: str  # format template of its sanitised HTML
    words: int  # word count, the same whatever names are filled in


class ProsePool:
    """Paragraphs for one language and setting, built once and shared by many chapters.

    A chapter is a run of consecutive paragraphs from a random starting point in the pool
    (which is in random order already), wrapping around at the end: one random number per
    chapter instead of one per paragraph, and no paragraph repeats until the pool runs out.
    """

    def __init__(self, paragraphs: list[Paragraph]) -> None:
        self.paragraphs = paragraphs
        self.total_words = sum(p.words for p in paragraphs)
        # Running totals over two laps of the pool, so a run that wraps is one bisect away.
        self.doubled = paragraphs * 2
        self.running = list(itertools.accumulate(p.words for p in self.doubled))

    def pick(self, rng: random.Random, target_words: int) -> list[Paragraph]:
        """Paragraphs adding up to at least `target_words`."""
        start = rng.randrange(len(self.paragraphs))
        laps, rest = divmod(target_words, self.total_words)
        before = self.running[start - 1] if start else 0
        end = bisect.bisect_left(self.running, before + rest, lo=start) + 1
        run = self.doubled[start:end]
        return self.paragraphs * laps + run


def _fill_slots(template: str, rng: random.Random, vocabulary: dict[str, list[str]]) -> str:
    return _SLOT.sub(lambda match: rng.choice(vocabulary[match.group(1)]), template)


def _composed(rng: random.Random) -> str:
    subject = rng.choice(["{A}", "{B}", "{C}", "{AS}", "{BS}", "{A}", "{B}"])
    action = rng.choice(ACTIONS)
    tail = rng.choice(TAILS) if rng.random() < 0.4 else ""
    if rng.random() < 0.3:
        opener = rng.choice(OPENERS)
        subject = {"{AS}": "{As}", "{BS}": "{Bs}"}.get(subject, subject)
        return f"{opener} {subject} {action}{tail}."
    return f"{subject} {action}{tail}."


def _english_paragraph(rng: random.Random, vocabulary: dict[str, list[str]]) -> str:
    kind = rng.random()
    if kind < 0.55:
        sentences = [
            rng.choice(NARRATION) if rng.random() < 0.5 else _composed(rng)
            for _ in range(rng.randint(3, 6))
        ]
        if rng.random() < 0.3:
            sentences.insert(rng.randint(0, len(sentences)), rng.choice(BEATS))
        text = " ".join(sentences)
    elif kind < 0.9:
        line = rng.choice(DIALOGUE)
        speaker = rng.choice(["{A}", "{B}", "{A}", "{B}", "{C}"])
        if line.endswith("?"):
            text = f"“{line}” {speaker} {rng.choice(ASKED)}."
        elif line.endswith("."):
            text = f"“{line[:-1]},” {speaker} {rng.choice(SAID)}."
        else:
            text = f"“{line}” {speaker} {rng.choice(SAID)}."
        if rng.random() < 0.5:
            text += " " + rng.choice(BEATS)
        if rng.random() < 0.3:
            text += " " + rng.choice(NARRATION)
    else:
        text = rng.choice(BEATS + NARRATION)
    return _fill_slots(text, rng, vocabulary)


def _foreign_paragraph(rng: random.Random, language: str) -> str:
    lists = FOREIGN[language]
    if rng.random() < 0.65:
        separator = "" if language in CJK_LANGUAGES else " "
        return separator.join(rng.sample(lists["narration"], rng.randint(2, 5)))
    opening, closing, tag = QUOTES[language]
    speaker = rng.choice(["{A}", "{B}", "{C}"])
    line = rng.choice(lists["dialogue"])
    if language != "zh":
        # The speech tag carries the full stop ("„Geh nicht“, sagte …").
        line = line.removesuffix(".").removesuffix("。")
    verbs = lists["asked"] if line.endswith(("?", "？")) else lists["said"]
    return opening + line + closing + tag.format(said=rng.choice(verbs), X=speaker)


def _english_vocabulary(setting: str) -> dict[str, list[str]]:
    vocabulary = dict(words.GENRES[setting])
    vocabulary.update(weather=WEATHER, time=TIMES, feeling=FEELINGS, sound=SOUNDS, adv=ADVERBS)
    return vocabulary


def _finish(raw: str) -> Paragraph:
    sample = raw.format_map(_PLACEHOLDER_NAMES)
    html_sample = sanitize_html(sample).html
    # Names and pronouns are plain words, so sanitising the template gives the same HTML as
    # sanitising any filled-in text; checked here with sample names.
    html = sanitize_html(raw).html
    if html.format_map(_PLACEHOLDER_NAMES) != html_sample:
        raise AssertionError(f"pool paragraph does not survive substitution: {raw!r}")
    return Paragraph(raw=raw, html=html, words=count_words_in_html(html_sample))


@lru_cache(maxsize=64)
def build_pool(seed: int, language: str, setting: str, size: int = 600) -> ProsePool:
    """Pool of `size` paragraphs for a language (and, in English, a setting); cached."""
    rng = random.Random(f"{seed}:pool:{language}:{setting}")
    paragraphs = []
    if language in FOREIGN:
        size = min(size, 160)
        for _ in range(size):
            paragraphs.append(_finish(_foreign_paragraph(rng, language)))
    else:
        vocabulary = _english_vocabulary(setting)
        for _ in range(size):
            paragraphs.append(_finish(_english_paragraph(rng, vocabulary)))
    return ProsePool(paragraphs)


def pronoun_keys(prefix: str, gender: str) -> dict[str, str]:
    """Format keys for one character's pronouns: she/he/they with matching was/were."""
    subject, obj, possessive, reflexive, was = {
        "f": ("she", "her", "her", "herself", "was"),
        "m": ("he", "him", "his", "himself", "was"),
        "n": ("they", "them", "their", "themself", "were"),
    }[gender]
    return {
        f"{prefix}s": subject,
        f"{prefix}S": subject.capitalize(),
        f"{prefix}o": obj,
        f"{prefix}p": possessive,
        f"{prefix}P": possessive.capitalize(),
        f"{prefix}r": reflexive,
        f"{prefix}was": was,
    }


@dataclass
class ChapterText:
    content: str
    content_html: str
    word_count: int


def compose_chapter(
    pool: ProsePool,
    rng: random.Random,
    target_words: int,
    names: dict[str, str],
    *,
    count_exactly: bool,
) -> ChapterText:
    """A chapter of about `target_words` words with the work's characters filled in."""
    paragraphs = pool.pick(rng, target_words)
    raws = [p.raw for p in paragraphs]
    htmls = [p.html for p in paragraphs]
    if len(paragraphs) >= 12 and rng.random() < 0.35:
        # A scene break somewhere in the middle.
        at = rng.randint(len(paragraphs) // 3, 2 * len(paragraphs) // 3)
        raws.insert(at, SCENE_BREAK)
        htmls.insert(at, "<hr>")
    content = "\n\n".join(raws).format_map(names)
    html = "\n".join(htmls).format_map(names)
    # Names are one word each, except in scripts counted by character, so the pool's counts
    # hold for every cast; there the chapter is counted as it stands.
    count = count_words_in_html(html) if count_exactly else sum(p.words for p in paragraphs)
    return ChapterText(content=content, content_html=html, word_count=count)

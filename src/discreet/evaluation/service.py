"""Training texts full of a shop's own capitalised words, which are not personal data.

Why: on customer-service messages written by people who never saw discreet
(`benchmarks/data/service_probe_blind*.jsonl`) the built-in NER made most of the false
positives: a button ("Upload Inventory"), a page, a plan ("Whitening Boost"), a team
("Lettings"), a course, a status, a product line named after a town or a person ("the
Hudson range", "de kast Lissabon"). News and Wikipedia teach the model that a capitalised
word it does not know is usually a name or a place, and the generated corpus names a few
dozen electronics products only. Rules can list words; they cannot list every shop's.

So these texts put each language's ordinary words (`wordfreq`, Zipf 3.0-5.3), title-cased,
where a shop's vocabulary stands, and a town or a first name where a product line's name
stands, all unlabelled; while the customer's own name, first name and town in the same
texts stay labelled, so the model learns the context, not that service text holds no one.
Names and towns come from the generator's split-aware pools (`values.ValueSource`), so the
evaluation fifth of them never appears in training. Words that are also first names,
surname words or places (the detector's own lists) are never used as ordinary words.

Used by `training/train_ner.py --service N`; deterministic in `(seed, index)`. The shipped
model has none of them. With 1,500-6,000 texts it flagged fewer harmless service messages
(unread blind probe 4: 96-97 of 160 instead of 104), but it lost about 0.01 of the public
splits' mean F2, and that loss was recall. The measurements are in training/README.md, "A
shop's own words".
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Sequence

from discreet.detect.entities import EntityType
from discreet.evaluation.corpus import LabelledSpan, LabelledText, text_seed
from discreet.evaluation.pools import Split
from discreet.evaluation.regions import REGIONS_BY_LANGUAGE
from discreet.evaluation.values import ValueSource

LANGUAGES = ("en", "nl", "de", "fr")
MIN_ZIPF, MAX_ZIPF = 3.0, 5.3
"""Ordinary words: common enough to be a shop's vocabulary, rarer than function words."""

_WORD = re.compile(r"^[^\W\d_]{4,14}$")
_SLOT = re.compile(r"\{(\w+)\}")

# Frames: {L}, {L2}, {L3} a shop's label; {T} a town and {F} a first name used as a
# product line's name; {P} a product noun with its article; {D} a weekday. Labelled:
# {name} a full name, {first} a first name (PERSON), {city} a town (LOCATION).
FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "I can't find the {L} button in the app.",
        "Where is the {L} page? The menu only shows {L2} and {L3}.",
        "Is the {T} {P} still available?",
        "I booked the {L} session for {D}.",
        "Your request has been passed to our {L} team.",
        "Status: {L}.",
        "Go to Settings > {L} > {L2}.",
        "Does the {L} plan include {L2}?",
        "I love the {F} {P} in your showroom, is the {T} one cheaper?",
        "The {L} class has moved to {D}.",
        "Please choose {L} or {L2} at checkout.",
        "The {L} option is greyed out for me.",
        "my {P} from the {T} range arrived damaged",
        "can i upgrade from {L} to {L2}?",
        "The {L} department told me to ask {L2}.",
        "hi, is {L} open on {D}?",
        "We have added {L} and {L2} to the {L3} menu.",
    ),
    "nl": (
        "Ik kan de knop {L} niet vinden in de app.",
        "Waar vind ik de pagina {L}? In het menu staan alleen {L2} en {L3}.",
        "Is de {P} {T} nog leverbaar?",
        "Ik heb de les {L} geboekt voor {D}.",
        "Uw vraag is doorgestuurd naar ons team {L}.",
        "Status: {L}.",
        "Ga naar Instellingen > {L} > {L2}.",
        "Zit {L2} bij het abonnement {L}?",
        "Ik vind de {P} {F} in de showroom mooi, is de {T} goedkoper?",
        "De cursus {L} is verplaatst naar {D}.",
        "Kies bij het afrekenen {L} of {L2}.",
        "De optie {L} is grijs bij mij.",
        "mijn {P} uit de collectie {T} is beschadigd aangekomen",
        "kan ik overstappen van {L} naar {L2}?",
        "De afdeling {L} zei dat ik {L2} moest vragen.",
        "hoi, is {L} open op {D}?",
        "We hebben {L} en {L2} toegevoegd aan het menu {L3}.",
    ),
    "de": (
        "Ich finde den Button {L} in der App nicht.",
        "Wo finde ich die Seite {L}? Im Menü stehen nur {L2} und {L3}.",
        "Ist {L} noch lieferbar?",
        "Ich habe den Kurs {L} für {D} gebucht.",
        "Ihre Anfrage wurde an unser Team {L} weitergeleitet.",
        "Status: {L}.",
        "Gehen Sie zu Einstellungen > {L} > {L2}.",
        "Ist {L2} im Tarif {L} enthalten?",
        "Mir gefällt {L} im Showroom, ist {L2} günstiger?",
        "Die Stunde {L} wurde auf {D} verschoben.",
        "Bitte wählen Sie an der Kasse {L} oder {L2}.",
        "Die Option {L} ist bei mir ausgegraut.",
        "meine Bestellung {L} kam beschädigt an",
        "kann ich von {L} zu {L2} wechseln?",
        "Die Abteilung {L} hat gesagt, ich soll {L2} fragen.",
        "hallo, hat {L} am {D} geöffnet?",
        "Wir haben {L} und {L2} zum Menü {L3} hinzugefügt.",
    ),
    "fr": (
        "Je ne trouve pas le bouton {L} dans l'application.",
        "Où est la page {L} ? Le menu n'affiche que {L2} et {L3}.",
        "Est-ce que {P} {T} est encore disponible ?",
        "J'ai réservé la séance {L} pour {D}.",
        "Votre demande a été transmise à notre service {L}.",
        "Statut : {L}.",
        "Allez dans Paramètres > {L} > {L2}.",
        "L'offre {L} comprend-elle {L2} ?",
        "J'aime beaucoup {P} {F} du showroom, le modèle {T} est-il moins cher ?",
        "Le cours {L} est déplacé au {D}.",
        "Choisissez {L} ou {L2} au moment du paiement.",
        "L'option {L} est grisée chez moi.",
        "ma commande de la collection {T} est arrivée abîmée",
        "je peux passer de {L} à {L2} ?",
        "Le service {L} m'a dit de demander à {L2}.",
        "bonjour, {L} est ouvert le {D} ?",
        "Nous avons ajouté {L} et {L2} au menu {L3}.",
    ),
}

PEOPLE_FRAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "My name is {name} and I live in {city}.",
        "This is {name}, I moved to {city} last month.",
        "{first} here, from {city}.",
    ),
    "nl": (
        "Mijn naam is {name} en ik woon in {city}.",
        "Met {name}, ik ben vorige maand naar {city} verhuisd.",
        "Hoi, {first} hier uit {city}.",
    ),
    "de": (
        "Mein Name ist {name}, ich wohne in {city}.",
        "Hier ist {name}, ich bin letzten Monat nach {city} gezogen.",
        "Hallo, hier {first} aus {city}.",
    ),
    "fr": (
        "Je m'appelle {name} et j'habite à {city}.",
        "C'est {name}, j'ai déménagé à {city} le mois dernier.",
        "Bonjour, {first} de {city}.",
    ),
}

GREETINGS: dict[str, tuple[str, ...]] = {
    "en": ("Hello,\n\n", "Hi,\n\n", "Dear team,\n\n", "hi ", ""),
    "nl": ("Hallo,\n\n", "Beste,\n\n", "Goedemiddag,\n\n", "hoi ", ""),
    "de": ("Hallo,\n\n", "Sehr geehrte Damen und Herren,\n\n", "Guten Tag,\n\n", "hi ", ""),
    "fr": ("Bonjour,\n\n", "Madame, Monsieur,\n\n", "Bonsoir,\n\n", "salut ", ""),
}

SIGN_OFFS: dict[str, tuple[str, ...]] = {
    "en": ("\n\nKind regards,\n{name}", "\n\nThanks,\n{first}", "\n\nKind regards", ""),
    "nl": ("\n\nMet vriendelijke groet,\n{name}", "\n\nGroetjes,\n{first}", "\n\nGroet", ""),
    "de": ("\n\nMit freundlichen Grüßen\n{name}", "\n\nViele Grüße\n{first}", "\n\nDanke", ""),
    "fr": ("\n\nCordialement,\n{name}", "\n\nMerci,\n{first}", "\n\nCordialement", ""),
}

PRODUCTS: dict[str, tuple[str, ...]] = {
    "en": ("sofa", "desk", "wardrobe", "mattress", "kitchen", "lamp", "membership", "tour"),
    "nl": ("bank", "kast", "tafel", "matras", "keuken", "lamp", "fauteuil", "stoel"),
    "de": ("das Sofa", "der Tisch", "der Schrank", "die Matratze", "die Küche", "die Lampe"),
    "fr": ("le canapé", "la table", "l'armoire", "le matelas", "la cuisine", "la lampe"),
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}

LABELLED: dict[str, EntityType] = {
    "name": EntityType.PERSON,
    "first": EntityType.PERSON,
    "city": EntityType.LOCATION,
}

TIERS = ("Plus", "Pro", "Premium", "Basic", "Light", "XL", "Gold", "Silver", "Max", "Go")


@functools.cache
def ordinary_words(language: str) -> tuple[str, ...]:
    """`language`'s words of Zipf MIN_ZIPF..MAX_ZIPF, title-cased, that no list of the
    detector's calls a first name, a surname word or a place (sorted: deterministic)."""
    from discreet.detect.name_lists import packaged
    from discreet.detect.ordinary import zipf_table
    from discreet.detect.places import known_place

    names = packaged()
    words = []
    for word, zipf in zipf_table(language).items():
        if not (MIN_ZIPF <= zipf <= MAX_ZIPF and _WORD.match(word)):
            continue
        if word in names.first or word in names.surnames:
            continue
        title = word[:1].upper() + word[1:]
        if known_place(title):
            continue
        words.append(title)
    return tuple(sorted(words))


class ServiceTextGenerator:
    """One text at a time, like `corpus.CorpusGenerator`: the value pools of one split."""

    def __init__(self, split: Split = "train") -> None:
        self.values = ValueSource(split)

    def _label(self, rng: random.Random, language: str) -> str:
        vocab = ordinary_words(language)
        n = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        words = [rng.choice(vocab) for _ in range(n)]
        if rng.random() < 0.15:
            words.append(rng.choice(TIERS))
        return " ".join(words)

    def generate(self, seed: int, index: int, language: str) -> LabelledText:
        seeded = text_seed("service", seed, index)
        rng = random.Random(seeded)
        self.values.reseed(seeded, rng.choice(REGIONS_BY_LANGUAGE[language]))
        person = self.values.person()
        city = self.values.city()
        fills: dict[str, Callable[[], str]] = {
            "L": lambda: self._label(rng, language),
            "L2": lambda: self._label(rng, language),
            "L3": lambda: self._label(rng, language),
            "T": self.values.city,
            "F": lambda: self.values.person().first,
            "P": lambda: rng.choice(PRODUCTS[language]),
            "D": lambda: rng.choice(WEEKDAYS[language]),
            "name": lambda: person.full,
            "first": lambda: person.first,
            "city": lambda: city,
        }
        frames = rng.sample(FRAMES[language], rng.randint(2, 4))
        if rng.random() < 0.4:
            frames.insert(rng.randint(0, len(frames)), rng.choice(PEOPLE_FRAMES[language]))
        templates = [rng.choice(GREETINGS[language]), " ".join(frames)]
        templates.append(rng.choice(SIGN_OFFS[language]))
        parts: list[str] = []
        spans: list[LabelledSpan] = []
        length = 0
        for template in templates:
            pos = 0
            for match in _SLOT.finditer(template):
                parts.append(template[pos : match.start()])
                length += match.start() - pos
                key = match.group(1)
                value = fills[key]()
                if key in LABELLED:
                    spans.append(LabelledSpan(length, length + len(value), LABELLED[key]))
                parts.append(value)
                length += len(value)
                pos = match.end()
            parts.append(template[pos:])
            length += len(template) - pos
        text = "".join(parts)
        text = text[:1].upper() + text[1:] if text[:1].islower() and rng.random() < 0.5 else text
        return LabelledText(
            id=f"service-{seed}-{index}",
            text=text,
            language=language,
            kind="email" if "\n" in text else "chat",
            spans=tuple(spans),
        )


def generate_service_texts(
    n: int, seed: int = 0, languages: Sequence[str] = LANGUAGES, split: Split = "train"
) -> list[LabelledText]:
    """`n` texts, languages round-robin, reproducibly (see the module docstring)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    generator = ServiceTextGenerator(split)
    return [generator.generate(seed, i, languages[i % len(languages)]) for i in range(n)]

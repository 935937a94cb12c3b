#!/usr/bin/env python3
"""Writes the labelled set `kinglet route eval` measures on (issue 16): questions with one sure
answer, as few-shot completion prompts (`{"prompt", "answer", "match", "family"}` per JSONL line),
so a base model (Gemma 3 270M) and an instruct model (SmolLM2-135M) can both be asked through
`/v1/completions` with `stop: ["\\n"]`.

Families: single words translated to French, Spanish and German, chemical symbols, currencies
(where the 270M model is clearly better: it saw many languages), and capitals, the day or month
after another, irregular past tenses, two-digit addition, letters of a word (where the 135M model
holds its own or wins), so a router has both kinds to tell apart. The facts are listed here (well
known, easy to check); arithmetic is computed. Answers match exactly up to case and surrounding
blanks and full stops; an answer with accents is a regex that also takes the unaccented letter.
Seeded: the same file every run.

    python3 scripts/make-route-dataset.py > Tests/Data/route/route-eval.jsonl
"""
import json, random, sys

rng = random.Random(16)

CAPITALS = {
    "France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Portugal": "Lisbon",
    "Japan": "Tokyo", "China": "Beijing", "Russia": "Moscow", "Egypt": "Cairo", "Greece": "Athens",
    "Canada": "Ottawa", "Australia": "Canberra", "Brazil": "Brasilia", "Argentina": "Buenos Aires",
    "Mexico": "Mexico City", "India": "New Delhi", "Kenya": "Nairobi", "Norway": "Oslo", "Sweden": "Stockholm",
    "Finland": "Helsinki", "Denmark": "Copenhagen", "Poland": "Warsaw", "Austria": "Vienna", "Hungary": "Budapest",
    "Ireland": "Dublin", "Belgium": "Brussels", "Netherlands": "Amsterdam", "Switzerland": "Bern", "Turkey": "Ankara",
    "Iran": "Tehran", "Iraq": "Baghdad", "Thailand": "Bangkok", "Vietnam": "Hanoi", "South Korea": "Seoul",
    "Peru": "Lima", "Chile": "Santiago", "Colombia": "Bogota", "Cuba": "Havana", "Ukraine": "Kyiv",
    "Romania": "Bucharest", "Czech Republic": "Prague", "Philippines": "Manila", "Indonesia": "Jakarta",
    "Saudi Arabia": "Riyadh", "Morocco": "Rabat", "Nigeria": "Abuja", "Ethiopia": "Addis Ababa", "Iceland": "Reykjavik",
    "New Zealand": "Wellington", "Pakistan": "Islamabad", "Bangladesh": "Dhaka", "Afghanistan": "Kabul",
    "Venezuela": "Caracas", "Bulgaria": "Sofia", "Serbia": "Belgrade", "Croatia": "Zagreb", "Lebanon": "Beirut",
    "Syria": "Damascus", "Jordan": "Amman", "Israel": "Jerusalem", "Nepal": "Kathmandu", "Scotland": "Edinburgh",
    "England": "London", "Wales": "Cardiff", "Malaysia": "Kuala Lumpur", "Singapore": "Singapore",
}
SYMBOLS = {
    "hydrogen": "H", "helium": "He", "lithium": "Li", "carbon": "C", "nitrogen": "N", "oxygen": "O", "fluorine": "F",
    "neon": "Ne", "sodium": "Na", "magnesium": "Mg", "aluminium": "Al", "silicon": "Si", "phosphorus": "P",
    "sulfur": "S", "chlorine": "Cl", "argon": "Ar", "potassium": "K", "calcium": "Ca", "iron": "Fe", "copper": "Cu",
    "zinc": "Zn", "silver": "Ag", "gold": "Au", "mercury": "Hg", "lead": "Pb", "tin": "Sn", "uranium": "U",
    "nickel": "Ni", "platinum": "Pt", "iodine": "I", "titanium": "Ti", "chromium": "Cr", "cobalt": "Co",
    "manganese": "Mn", "boron": "B", "beryllium": "Be", "radon": "Rn", "xenon": "Xe", "krypton": "Kr", "tungsten": "W",
}
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WORDS = ["banana", "garden", "window", "pencil", "rabbit", "orange", "silver", "market", "candle", "forest",
         "planet", "button", "dragon", "bottle", "castle", "jacket", "kitten", "ladder", "mirror", "needle",
         "pillow", "rocket", "saddle", "tomato", "violin", "wallet", "yellow", "zipper", "anchor", "basket"]
# English word: (French, Spanish, German).
WORDS3 = {
    "dog": ("chien", "perro", "Hund"), "cat": ("chat", "gato", "Katze"), "house": ("maison", "casa", "Haus"),
    "water": ("eau", "agua", "Wasser"), "bread": ("pain", "pan", "Brot"), "apple": ("pomme", "manzana", "Apfel"),
    "book": ("livre", "libro", "Buch"), "tree": ("arbre", "árbol", "Baum"), "sun": ("soleil", "sol", "Sonne"),
    "moon": ("lune", "luna", "Mond"), "cheese": ("fromage", "queso", "Käse"), "milk": ("lait", "leche", "Milch"),
    "horse": ("cheval", "caballo", "Pferd"), "flower": ("fleur", "flor", "Blume"), "door": ("porte", "puerta", "Tür"),
    "window": ("fenêtre", "ventana", "Fenster"), "table": ("table", "mesa", "Tisch"), "chair": ("chaise", "silla", "Stuhl"),
    "city": ("ville", "ciudad", "Stadt"), "school": ("école", "escuela", "Schule"), "friend": ("ami", "amigo", "Freund"),
    "mother": ("mère", "madre", "Mutter"), "father": ("père", "padre", "Vater"), "brother": ("frère", "hermano", "Bruder"),
    "sister": ("sœur", "hermana", "Schwester"), "night": ("nuit", "noche", "Nacht"), "hand": ("main", "mano", "Hand"),
    "head": ("tête", "cabeza", "Kopf"), "heart": ("cœur", "corazón", "Herz"), "red": ("rouge", "rojo", "rot"),
    "green": ("vert", "verde", "grün"), "black": ("noir", "negro", "schwarz"), "blue": ("bleu", "azul", "blau"),
    "sea": ("mer", "mar", "Meer"), "king": ("roi", "rey", "König"), "egg": ("œuf", "huevo", "Ei"),
    "salt": ("sel", "sal", "Salz"), "wine": ("vin", "vino", "Wein"), "snow": ("neige", "nieve", "Schnee"),
    "rain": ("pluie", "lluvia", "Regen"), "fire": ("feu", "fuego", "Feuer"), "star": ("étoile", "estrella", "Stern"),
    "kitchen": ("cuisine", "cocina", "Küche"), "butter": ("beurre", "mantequilla", "Butter"),
}
LANGUAGES = ["French", "Spanish", "German"]
CURRENCIES = {
    "Japan": "yen", "India": "rupee", "Russia": "ruble", "Mexico": "peso", "China": "yuan", "South Korea": "won",
    "Poland": "zloty", "Sweden": "krona", "Turkey": "lira", "Brazil": "real", "Thailand": "baht", "Vietnam": "dong",
    "Switzerland": "franc", "the United Kingdom": "pound", "the United States": "dollar", "Germany": "euro",
    "Israel": "shekel", "South Africa": "rand", "Norway": "krone", "Hungary": "forint", "Ukraine": "hryvnia",
    "Indonesia": "rupiah", "Argentina": "peso", "Denmark": "krone",
}
PAST = {
    "go": "went", "eat": "ate", "see": "saw", "take": "took", "write": "wrote", "run": "ran", "swim": "swam",
    "drink": "drank", "fly": "flew", "speak": "spoke", "break": "broke", "choose": "chose", "freeze": "froze",
    "give": "gave", "sing": "sang", "begin": "began", "ring": "rang", "drive": "drove", "ride": "rode",
    "steal": "stole", "wake": "woke", "wear": "wore", "tear": "tore", "bite": "bit", "hide": "hid", "buy": "bought",
    "think": "thought", "teach": "taught", "catch": "caught", "bring": "brought", "fight": "fought", "sell": "sold",
    "tell": "told", "find": "found", "feel": "felt", "keep": "kept", "sleep": "slept", "leave": "left",
}


def facts(template, table):
    """Every entry of `table` as a question (one item each; no repeats)."""
    return [(template.format(k), v) for k, v in table.items()]


def translations():
    return [(f"What is the {lang} word for '{english}'?", words[i])
            for i, lang in enumerate(LANGUAGES) for english, words in WORDS3.items()]


def add2(n):
    pairs = set()
    while len(pairs) < n:
        pairs.add((rng.randint(10, 99), rng.randint(10, 99)))
    return [(f"What is {a} + {b}?", str(a + b)) for a, b in sorted(pairs)]


def letters():
    return [(f"What is the {['first', 'second', 'third'][i]} letter of the word '{w}'?", w[i])
            for w in WORDS for i in range(3)]


def following():
    return ([(f"What day comes after {d}?", DAYS[(i + 1) % 7]) for i, d in enumerate(DAYS)]
            + [(f"What month comes after {m}?", MONTHS[(i + 1) % 12]) for i, m in enumerate(MONTHS)])


ACCENTS = {"á": "a", "é": "e", "è": "e", "ê": "e", "ó": "o", "ü": "u", "ö": "o", "ä": "a", "œ": "oe"}


def rule(answer):
    """`exact`, or for an answer with accents a regex that also takes the plain letters."""
    if not any(c in ACCENTS for c in answer):
        return answer, "exact"
    pattern = "".join(f"(?:{c}|{ACCENTS[c]})" if c in ACCENTS else c for c in answer)
    return f"^{pattern}$", "regex"


# family: (all questions, how many to ask)
FAMILIES = {
    "translate": (translations, 132), "symbol": (lambda: facts("What is the chemical symbol of {}?", SYMBOLS), 40),
    "currency": (lambda: facts("What is the currency of {}?", CURRENCIES), 24),
    "capital": (lambda: facts("What is the capital of {}?", CAPITALS), 40),
    "after": (following, 19), "past": (lambda: facts("What is the past tense of '{}'?", PAST), 38),
    "add2": (lambda: add2(40), 40), "letter": (letters, 30),
}


def main():
    out = []
    for family, (make, n) in FAMILIES.items():
        pool = make()
        rng.shuffle(pool)
        # Three worked examples of the family, never asked themselves.
        shots, asked = pool[:3], pool[3:3 + n]
        prefix = "".join(f"Q: {q}\nA: {a}\n\n" for q, a in shots)
        for q, a in asked:
            answer, match = rule(a)
            out.append({"prompt": prefix + f"Q: {q}\nA:", "answer": answer, "match": match, "family": family})
    for item in out:
        print(json.dumps(item, ensure_ascii=False))


if __name__ == "__main__":
    main()

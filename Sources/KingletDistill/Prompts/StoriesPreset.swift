/// The TinyStories recipe (Eldan & Li, 2023): a short story in words a 3-year-old knows, built
/// around a verb, a noun and an adjective drawn from lists, plus an optional story feature.
///
/// The wording is shorter than the paper's: the default teacher (SmolLM2-135M-Instruct) wanders off
/// with the original's long instruction but writes a child's story with this one, and the system
/// message keeps its vocabulary simple. Asking for about 100 words rather than 3-5 paragraphs makes
/// more of its stories end (on their own) within 256 tokens, so students see endings too.
extension PromptPreset {
    /// `stories`: 100+ verbs × 150+ nouns × 80+ adjectives × 7 features.
    public static let stories = PromptPreset(
        name: "stories",
        summary: "short stories for small children (TinyStories recipe: a verb, a noun, an adjective, a feature)",
        system: "You are a storyteller for small children. Use simple words.",
        template: "Write a short story (about 100 words) for a 3 year old. "
            + "Use the verb \"{verb}\", the noun \"{noun}\" and the adjective \"{adjective}\". {feature}",
        slots: [
            Slot("verb", StoryWords.verbs), Slot("noun", StoryWords.nouns),
            Slot("adjective", StoryWords.adjectives), Slot("feature", StoryWords.features),
        ])
}

/// The stories preset's word lists: everyday words a small child knows.
enum StoryWords {
    static let verbs = [
        "jump", "run", "hop", "skip", "walk", "climb", "swim", "fly", "dance", "sing",
        "play", "laugh", "smile", "cry", "hug", "kiss", "eat", "drink", "sleep", "wake",
        "look", "see", "find", "hide", "seek", "catch", "throw", "kick", "push", "pull",
        "carry", "hold", "drop", "pick", "open", "close", "build", "draw", "paint", "write",
        "read", "count", "help", "share", "give", "take", "bring", "make", "cook", "bake",
        "wash", "clean", "fix", "break", "fall", "sit", "stand", "wait", "listen", "hear",
        "talk", "shout", "whisper", "call", "ask", "answer", "think", "know", "learn", "try",
        "win", "lose", "like", "love", "want", "need", "feel", "touch", "smell", "taste",
        "roll", "spin", "splash", "dig", "plant", "grow", "pour", "fill", "mix", "stir",
        "knock", "ring", "shine", "glow", "blow", "wave", "clap", "nod", "shake", "chase",
        "follow", "lead", "visit", "swing", "slide", "bounce", "float", "sail", "ride", "march",
    ]

    static let nouns = [
        "ball", "dog", "cat", "bird", "fish", "frog", "duck", "cow", "pig", "horse",
        "sheep", "hen", "bunny", "bear", "lion", "tiger", "monkey", "elephant", "mouse", "owl",
        "bee", "bug", "butterfly", "snail", "worm", "turtle", "puppy", "kitten", "fox", "deer",
        "tree", "flower", "leaf", "grass", "seed", "apple", "banana", "cake", "cookie", "bread",
        "milk", "juice", "egg", "soup", "pie", "candy", "carrot", "pear", "grape", "honey",
        "house", "door", "window", "bed", "chair", "table", "cup", "plate", "spoon", "bowl",
        "box", "bag", "hat", "shoe", "sock", "coat", "dress", "shirt", "button", "blanket",
        "pillow", "toy", "doll", "car", "truck", "train", "boat", "plane", "bike", "kite",
        "drum", "book", "crayon", "paper", "block", "puzzle", "balloon", "bell", "key", "clock",
        "sun", "moon", "star", "cloud", "rain", "snow", "wind", "sky", "rainbow", "puddle",
        "hill", "river", "lake", "sea", "beach", "sand", "rock", "stick", "park", "garden",
        "farm", "forest", "road", "bridge", "school", "shop", "nest", "pond", "mud", "shell",
        "mom", "dad", "baby", "friend", "teacher", "grandma", "grandpa", "sister", "brother", "king",
        "queen", "boy", "girl", "doctor", "farmer", "clown", "robot", "dragon", "fairy", "giant",
        "swing", "slide", "sandbox", "wagon", "bucket", "shovel", "jar", "ribbon", "sticker", "basket",
        "lamp", "rug", "towel", "soap", "brush", "mirror", "gift", "party", "song", "picnic",
    ]

    static let adjectives = [
        "happy", "sad", "big", "small", "little", "tall", "short", "long", "round", "soft",
        "hard", "hot", "cold", "warm", "wet", "dry", "clean", "dirty", "new", "old",
        "fast", "slow", "loud", "quiet", "bright", "dark", "red", "blue", "green", "yellow",
        "pink", "purple", "orange", "brown", "white", "black", "shiny", "fluffy", "furry", "sticky",
        "yummy", "sweet", "sour", "funny", "silly", "kind", "nice", "good", "bad", "brave",
        "scared", "shy", "sleepy", "hungry", "thirsty", "tired", "busy", "lazy", "gentle", "strong",
        "weak", "pretty", "ugly", "cute", "tiny", "huge", "heavy", "light", "full", "empty",
        "sunny", "rainy", "windy", "snowy", "noisy", "calm", "proud", "angry", "curious", "friendly",
        "lucky", "magic", "smooth", "bumpy", "spotty", "stripy", "sparkly", "cozy", "muddy", "grumpy",
    ]

    /// TinyStories' story features, plus none.
    static let features = [
        "",
        "Add some dialogue.",
        "The story has a moral.",
        "The story has a bad ending.",
        "The story has a plot twist.",
        "Use some foreshadowing.",
        "The story has a conflict.",
    ]
}

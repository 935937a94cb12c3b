/// A narrow assistant task the tiny default teacher does well: a few short, numbered tips on an
/// everyday topic for a given reader. SmolLM2-135M-Instruct answers these with a short list and
/// usually stops on its own (it rambles on free-form emails, so those were not chosen).
extension PromptPreset {
    /// `tips`: 3 counts × 10 readers × 150+ topics.
    public static let tips = PromptPreset(
        name: "tips",
        summary: "a few short practical tips on an everyday topic for a given reader",
        system: nil,
        template: "Give {number} short tips to {reader} about {topic}.",
        slots: [Slot("number", TipWords.numbers), Slot("reader", TipWords.readers), Slot("topic", TipWords.topics)])
}

/// The tips preset's lists.
enum TipWords {
    static let numbers = ["two", "three", "four"]

    static let readers = [
        "a beginner", "a student", "a busy parent", "a teenager", "a retired person",
        "a new employee", "someone who lives alone", "a small business owner", "a traveler", "a friend",
    ]

    static let topics = [
        // home
        "keeping a houseplant alive", "cleaning a small kitchen", "doing laundry", "organizing a closet",
        "saving energy at home", "keeping a home cool in summer", "staying warm in winter", "decorating a small room",
        "fixing a leaky tap", "painting a wall", "moving to a new home", "packing boxes for a move",
        "keeping a fridge tidy", "reducing clutter", "caring for wooden furniture", "washing windows",
        "making a bed neatly", "keeping pests out of the house", "choosing a good mattress", "hanging pictures",
        // food
        "cooking rice", "making a healthy breakfast", "packing a lunch", "baking bread",
        "planning meals for a week", "storing fresh vegetables", "making a simple soup", "cooking pasta",
        "drinking more water", "eating more vegetables", "cutting down on sugar", "making a good cup of tea",
        "brewing coffee at home", "grilling vegetables", "using leftovers", "shopping for groceries",
        "reading food labels", "making a salad", "cooking eggs", "keeping a kitchen knife sharp",
        // health
        "sleeping better", "starting to run", "stretching in the morning", "staying healthy in winter",
        "taking short breaks at work", "reducing stress", "walking more every day", "protecting skin from the sun",
        "keeping teeth healthy", "sitting at a desk comfortably", "starting yoga", "staying active on rainy days",
        "caring for a cold", "drinking less coffee", "building a morning routine", "relaxing before bed",
        "lifting weights safely", "warming up before exercise", "staying calm before a test", "taking care of tired eyes",
        // money
        "saving money", "making a budget", "saving money on groceries", "paying off a small debt",
        "buying a used car", "spending less on clothes", "saving for a holiday", "avoiding impulse buys",
        "comparing prices", "keeping receipts organized", "opening a savings account", "planning a cheap birthday party",
        "selling old things", "tipping at a restaurant", "splitting a bill with friends", "saving on phone bills",
        // work and study
        "studying for an exam", "taking notes in class", "writing a short essay", "giving a short speech",
        "running a meeting", "writing a polite email", "managing time", "staying focused",
        "preparing for a job interview", "asking for feedback", "working from home", "learning a new language",
        "remembering names", "reading more books", "keeping a to-do list", "working in a team",
        "learning to type faster", "asking good questions", "starting a new job", "writing a cover letter",
        // outdoors and travel
        "packing for a trip", "traveling by train", "flying for the first time", "camping in a tent",
        "hiking in the hills", "staying safe at the beach", "riding a bike in the city", "learning to ride a bike",
        "planning a picnic", "visiting a new city", "keeping a passport safe", "getting over jet lag",
        "driving in the rain", "keeping a car clean", "parking in a tight spot", "walking a dog",
        "watching birds", "growing tomatoes", "starting a small garden", "planting flowers",
        "watering a garden", "making compost", "taking photos with a phone", "fishing at a lake",
        // people and hobbies
        "making new friends", "being a good listener", "saying no politely", "apologizing to a friend",
        "hosting dinner guests", "writing a thank-you note", "choosing a gift", "planning a surprise party",
        "learning to draw", "learning to play the guitar", "learning to knit", "starting a journal",
        "playing chess", "doing a jigsaw puzzle", "caring for a cat", "caring for a goldfish",
        "training a puppy", "reading to a child", "keeping kids busy on a rainy day", "teaching a child to tie shoes",
        "using a phone less", "keeping passwords safe", "backing up photos", "spotting a fake email",
        "setting up a new phone", "keeping a laptop fast", "charging a phone battery", "learning to swim",
        "singing in a choir", "baking cookies with kids", "sewing on a button", "ironing a shirt",
        "polishing shoes", "tying a tie", "choosing running shoes", "recycling at home",
    ]
}

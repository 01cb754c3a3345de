"""Word lists and sentences for generated demo data: fictional people, places and schools."""

FIRST_NAMES = [
    "Aaliyah", "Adam", "Aisha", "Alex", "Alice", "Amelia", "Amir", "Anna", "Arjun", "Ava",
    "Ben", "Bethany", "Callum", "Charlotte", "Chloe", "Chris", "Claire", "Daniel", "David",
    "Eleanor", "Elif", "Ella", "Emily", "Emma", "Ethan", "Faisal", "Fatima", "Freya", "Gemma",
    "George", "Grace", "Hannah", "Harry", "Helen", "Isaac", "Isla", "Jack", "James", "Jasmine",
    "Jess", "Joe", "Joshua", "Kate", "Kwame", "Laura", "Leah", "Liam", "Lily", "Louise", "Lucy",
    "Maria", "Mark", "Matthew", "Megan", "Mia", "Mohammed", "Nadia", "Naomi", "Nathan", "Niamh",
    "Noah", "Oliver", "Olivia", "Omar", "Owen", "Patrick", "Priya", "Rachel", "Rebecca", "Rhys",
    "Rosie", "Ruth", "Ryan", "Sam", "Sana", "Sarah", "Sophie", "Tariq", "Thomas", "Tom", "Zara",
]  # fmt: skip

LAST_NAMES = [
    "Adams", "Ahmed", "Ali", "Allen", "Anderson", "Atkinson", "Bailey", "Baker", "Begum",
    "Bell", "Bennett", "Brown", "Campbell", "Carter", "Chapman", "Clarke", "Collins", "Cooper",
    "Davies", "Dawson", "Edwards", "Evans", "Fisher", "Fletcher", "Foster", "Green", "Griffiths",
    "Hall", "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Jones", "Kaur", "Kelly",
    "Khan", "King", "Lee", "Lewis", "Marshall", "Martin", "Mason", "Mitchell", "Moore", "Morgan",
    "Murphy", "Nowak", "Okafor", "O'Brien", "Owen", "Palmer", "Parker", "Patel", "Phillips",
    "Price", "Richards", "Roberts", "Robinson", "Rose", "Shah", "Singh", "Smith", "Stewart",
    "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams",
    "Wilson", "Wood", "Wright", "Young",
]  # fmt: skip

TOWN_STARTS = [
    "Ash", "Ayles", "Bex", "Bram", "Brack", "Carl", "Chel", "Clay", "Dal", "Dun", "Elm",
    "Fair", "Fern", "Gar", "Glen", "Hal", "Hart", "Hol", "Kel", "Kings", "Lang", "Lid", "Long",
    "Mar", "Mel", "Mid", "Nor", "Oak", "Ox", "Pen", "Rad", "Red", "Ring", "Rother", "Sel",
    "Stan", "Sut", "Tad", "Thorn", "Up", "Wal", "West", "Wey", "Whit", "Wil", "Wood",
]  # fmt: skip
TOWN_ENDS = [
    "borough", "bridge", "bury", "by", "combe", "dale", "field", "ford", "ham", "hurst",
    "ley", "minster", "more", "mouth", "stead", "thorpe", "ton", "well", "wick", "worth",
]  # fmt: skip
TOWN_PREFIXES = ["Great ", "Little ", "Upper ", "Lower ", "North ", "South ", "East ", "West "]
AUTHORITY_PATTERNS = ["{a}", "{a} and {b}", "North {a}", "South {a}", "{a} City"]

SCHOOL_WORDS = [
    "Abbey", "Ashgrove", "Beechwood", "Broadway", "Brookside", "Castle", "Cedar", "Chestnut",
    "Church Lane", "Crossley", "Eastbrook", "Elmwood", "Fairfield", "Fernhill", "Foxhill",
    "Grange", "Green Lane", "Greenacres", "Hawthorn", "Heathfield", "Highfield", "Hillside",
    "Holly Bank", "Hollybush", "Kingsway", "Lakeside", "Larkrise", "Manor", "Meadowbank",
    "Mill Lane", "Moorside", "Northfield", "Oakfield", "Orchard", "Park View", "Parkside",
    "Queensbury", "Redhill", "Ridgeway", "Riverside", "Rosewood", "Sandfield", "Southfield",
    "Springfield", "Valley", "Victoria", "Westfield", "Willowbrook", "Windmill", "Woodlands",
]  # fmt: skip
SAINTS = [
    "All Saints", "Christ Church", "Holy Trinity", "Our Lady's", "Sacred Heart", "St Aidan's",
    "St Andrew's", "St Anne's", "St Bede's", "St Chad's", "St Cuthbert's", "St Hilda's",
    "St John's", "St Joseph's", "St Mary's", "St Michael's", "St Oswald's", "St Paul's",
    "St Peter's", "St Wilfrid's",
]  # fmt: skip
FAITHS = ["Church of England", "Catholic"]

SPECIALISMS = {
    "early_years": ["Early years mathematics", "Mastering Number"],
    "primary": ["Primary mastery specialist", "Mastering Number", "Subject leadership"],
    "secondary": ["Secondary mastery specialist", "Non-specialist teachers", "Year 7 transition"],
    "post_16": ["GCSE resit teaching", "Core maths"],
}

TOPICS = {
    "early_years": ["subitising", "counting principles", "comparison", "composition of number"],
    "primary": [
        "place value",
        "additive reasoning",
        "multiplicative reasoning",
        "fractions",
        "number sense and fluency",
        "measures",
    ],
    "secondary": [
        "ratio and proportion",
        "algebraic thinking",
        "proportional reasoning",
        "geometric reasoning",
        "negative numbers",
        "statistics",
    ],
    "post_16": ["percentages in context", "algebraic manipulation", "problem solving"],
}

PLANNED = {
    "plan": "Plan a short sequence on {topic} together, agreeing the key representations.",
    "observe": "Observe a research lesson on {topic} and collect evidence of pupils' thinking.",
    "refine": "Refine the {topic} lessons in the light of what was observed.",
    "review": "Review the year's work on {topic} and agree next steps for each school.",
}
DONE = {
    "plan": "Explored {topic} through a shared task and co-planned a lesson sequence.",
    "observe": "Watched a lesson on {topic} taught by one participant and discussed it.",
    "refine": "Compared pupil work on {topic} across schools and adjusted the plans.",
    "review": "Each school presented what changed in their {topic} teaching this year.",
}
OBSERVED = [
    "Pupils used the bar model without prompting when the numbers got larger.",
    "Most pupils could explain their method using the stem sentence.",
    "Some pupils relied on counting on; the representation helped them move on.",
    "Pupils' explanations were more precise than at the start of the year.",
]
REFINED = [
    "Reduced the number of examples and added a non-example to sharpen the concept.",
    "Moved the practice task earlier so that misconceptions surfaced in the lesson.",
    "Added a short retrieval starter on the previous step.",
    "Changed the representation to one pupils had met before.",
]
GAP_TASKS = [
    "Teach the planned lesson on {topic} and bring two pieces of pupil work.",
    "Try the agreed stem sentence for {topic} with one class and note how pupils use it.",
    "Use the shared task on {topic} as a starter three times and record what changes.",
    "Film or note one episode of pupil reasoning about {topic} to share next time.",
]
GAP_RESPONSES = [
    "Taught the lesson to my Year {year} class; most pupils used the representation well.",
    "Used the stem sentence all week; quieter pupils joined in more.",
    "The starter exposed a misconception about {topic} that I had not expected.",
    "Shared the task with my year group partner and we both used it.",
]
REFLECTIONS = [
    "I will slow down the first example next time.",
    "Pupils need more time with the concrete resources before moving on.",
    "I want to try this with a lower-attaining group.",
    "",
]
OUTCOME_NOTES = {
    "teacher_learning": "Participants deepened their understanding of {topic}.",
    "practice": "Lesson design now starts from the key representation for {topic}.",
    "pupil_learning": "Pupils explain {topic} more confidently.",
    "school_approaches": "The maths lead is sharing the approach with other year groups.",
}
EVIDENCE = [
    "Lesson observations and pupil work collected across the year show {change}.",
    "Participants' reflections and book looks show {change}.",
    "Pupil voice and assessment data point to {change}.",
]
CHANGES = [
    "more consistent use of representations",
    "greater precision in pupils' mathematical talk",
    "shared planning across year groups",
    "more confident teaching of {topic}",
]
KEY_FINDINGS = [
    "Teachers' subject knowledge of {topic} grew most where schools sent two participants.",
    "Time between sessions for trying ideas in class was the biggest driver of change.",
    "Schools with support from senior leaders embedded the approach more widely.",
]
RECOMMENDATIONS = [
    "Give more time in the first session to the key representations.",
    "Share exemplar pupil work nationally to support the observe sessions.",
    "Encourage schools to release two participants where possible.",
]
MILESTONES = {
    "short": [
        "Agree the action plan with the headteacher and maths lead",
        "Complete a learning walk focused on {topic}",
    ],
    "medium": [
        "All teachers use the agreed calculation policy for {topic}",
        "Maths lead runs two staff meetings on {topic}",
    ],
    "long": [
        "Pupils' attainment in {topic} improves in the end-of-year assessments",
        "The approach is written into the school's maths policy",
    ],
}
INTEREST_NOTES = [
    "We would like to join a group that meets after school.",
    "Is there an online group this year?",
    "Two of our teachers are interested.",
    "",
]

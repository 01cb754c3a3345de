"""What each figure of a report means, in the words printed on the report, its PDF and its CSV.

The collation (``participation``, ``engagement``, ``outcomes``, ``themes``) counts exactly
this; the tests check the figures of a hand-made year against these words.
"""

from evaluations.reports import participation, themes

REPORT = [
    (
        "Groups",
        "Groups of the project in the year that were published and not cancelled: recruiting, "
        "full, running or completed. Cancelled groups are listed with the schools and people "
        "they had, but none of their schools, people, sessions or evaluations is counted. "
        "Draft groups were never published and are left out.",
    ),
    (
        "Schools taking part",
        "Schools with a confirmed place in a group, or one that completed or did not "
        "complete, and schools that withdrew "
        "after at least one of their people attended a session. A school in two groups counts "
        "once.",
    ),
    (
        "Participants",
        "Everyone who took part: people registered in a school's place that was confirmed "
        "(and then completed or not), and "
        "anyone who attended (present or late) at least one session, even if they withdrew "
        "later. A person in two groups counts once.",
    ),
    (
        "Completion rate",
        "Of the people (or schools) that took part in a group that has completed, the share "
        "who completed: a person attended (present or late) at least the project's share of "
        "the sessions held while they took part, or their lead said they completed and why; "
        "a school completed when any of its people did. Groups still running are not in the "
        "rate.",
    ),
    (
        "Withdrawals",
        "Schools whose place was withdrawn, and people who withdrew and did not rejoin the same "
        "group; a place the hub declined is not a withdrawal. 'Before the group began' means "
        "before its first session was held; 'after attending' means the school or person had "
        "attended at least one session. By month, each counts in the month it withdrew.",
    ),
    (
        "Sessions held",
        "Sessions that had begun by the time of collation and were not cancelled.",
    ),
    (
        "Attendance",
        "Every mark at a session held. Present and late are attendance; apologies and absence "
        "without apologies are shown apart. The three shares add up to 100%.",
    ),
    ("Schools with more disadvantaged pupils", participation.METHOD),
    (
        "Evaluations expected",
        "One from each group that has completed. Groups still running are not expected to "
        "have one yet; one signed off early is counted in the ratings.",
    ),
    (
        "Ratings, evidence and findings",
        "From signed-off evaluations only: the group's hub has checked them. Evaluations that "
        "are submitted, returned or in draft are counted but not read.",
    ),
    (
        "Milestones",
        "Targeted Support action plans' short-, medium- and long-term milestones. Overdue: the "
        "date it was due has passed and it is neither achieved nor closed as not achieved.",
    ),
    ("Recurring themes", themes.METHOD),
]

REACH = [
    (
        "Schools",
        "State-funded schools open during the year (opened by its end and not closed before "
        "its start), counted in the area of their hub and their local authority.",
    ),
    (
        "Engaged",
        "A school is engaged in a year when it completed a project in a group of that year, "
        "with any hub: completion, not sign-up. Groups complete in the summer term, so the "
        "current year's figure grows as they close.",
    ),
    (
        "Taking part",
        "Schools with a confirmed or completed place in a group of the year that was not "
        "cancelled: those on their way to being engaged.",
    ),
    (
        "Share",
        "Engaged schools as a percentage of the area's schools.",
    ),
]

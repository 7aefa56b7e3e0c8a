"""Month names as residents and council pages write them, for reading dates in text."""

from __future__ import annotations

#: Month number by every way of writing its name (lower case): "sep", "sept", "september".
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

#: A regular-expression alternation of the names, longest first so "sept" wins over "sep".
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))

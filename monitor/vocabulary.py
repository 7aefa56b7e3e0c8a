"""The words every part of the monitor shares about issues, each defined once.

In the council's words:

- an issue's **impact** is how badly it gets in a resident's way (axe's four levels:
  minor, moderate, serious, critical); "serious or more" is what the accessibility
  measures count and what alerts owners;
- an issue's **state** is what a person sees: where it is in its lifecycle (``new``,
  ``open``, ``reopened``, ``fixed``; stored as ``monitor.models.IssueStatus``) unless a
  person has acknowledged it and the acknowledgement has not expired (``acknowledged``).
  The CLI, the dashboard, the CSV exports and the printable report all use these words;
- an issue's **kind** says which part of the monitor found it (accessibility, branding,
  links, the accessibility statement, documents) and whether a resident journey meets it.

Each enum's value is its slug (stored, typed in the CLI, used in addresses) and its
``label`` the words a service owner reads.
"""

from __future__ import annotations

from enum import StrEnum

#: The five answers of the satisfaction question (GOV.UK's scale), by rating.
RATING_LABELS: dict[int, str] = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied or dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}


def answer_in_words(rating: int | None, useful: bool | None) -> str:
    """A resident's answer as the feedback widget asked it."""
    if rating is not None:
        return RATING_LABELS.get(rating, "")
    if useful is not None:
        return "Page useful: yes" if useful else "Page useful: no"
    return "Problem report"


class Impact(StrEnum):
    """How badly an issue gets in a resident's way, least first (axe's levels)."""

    minor = "minor"
    moderate = "moderate"
    serious = "serious"
    critical = "critical"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        """1 for minor … 4 for critical: also the weight of severity in the fix-first order."""
        return _IMPACT_RANK[self]

    @property
    def serious_or_more(self) -> bool:
        return self in SERIOUS_OR_MORE

    @classmethod
    def most_severe_first(cls) -> list[Impact]:
        return sorted(cls, key=lambda impact: -impact.rank)

    @classmethod
    def of(cls, value: str | None) -> Impact | None:
        """The impact named by a stored value; None for no impact or an unknown word."""
        try:
            return cls(value) if value else None
        except ValueError:
            return None


_IMPACT_RANK = {Impact.minor: 1, Impact.moderate: 2, Impact.serious: 3, Impact.critical: 4}

#: What the accessibility measures count and alerts are sent for: the one definition.
SERIOUS_OR_MORE: frozenset[Impact] = frozenset({Impact.serious, Impact.critical})


def is_serious_or_more(impact: str | None) -> bool:
    """Whether a stored impact is serious or critical."""
    found = Impact.of(impact)
    return found is not None and found.serious_or_more


class IssueState(StrEnum):
    """An issue as a person sees it: its lifecycle, or acknowledged while that holds."""

    new = "new"
    open = "open"
    reopened = "reopened"
    acknowledged = "acknowledged"
    fixed = "fixed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def still_open(self) -> bool:
        """Not fixed (an acknowledged issue is still there; it only stops counting)."""
        return self is not IssueState.fixed

    @property
    def counts(self) -> bool:
        """Counts against the measures: open and not acknowledged."""
        return self in (IssueState.new, IssueState.open, IssueState.reopened)

    @classmethod
    def of(cls, lifecycle: str, *, acknowledged: bool) -> IssueState:
        """The state shown for a stored lifecycle status and a current acknowledgement."""
        state = cls(lifecycle)
        if acknowledged and state is not cls.fixed:
            return cls.acknowledged
        return state


#: The states an owner means by "open issues": there and counting.
OPEN_STATES: tuple[IssueState, ...] = (IssueState.new, IssueState.open, IssueState.reopened)


class IssueKind(StrEnum):
    """Which part of the monitor found an issue, in the words of the issues view."""

    accessibility = "accessibility"
    branding = "branding"
    links = "links"
    statement = "statement"
    documents = "documents"
    journeys = "journeys"  # found along a resident journey (an issue of any other kind)

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @classmethod
    def of(cls, check: str, rule: str) -> IssueKind:
        """The kind of an issue raised by ``check``'s ``rule`` (never ``journeys``: that is
        where the issue was met, see ``Issue.on_journey``)."""
        if check == "branding":
            return cls.branding
        if check == "links":
            return cls.links
        if check == "statement" or rule.startswith("statement-"):
            return cls.statement
        if check == "documents":
            return cls.documents
        return cls.accessibility


_KIND_LABELS = {
    IssueKind.accessibility: "Accessibility",
    IssueKind.branding: "Branding",
    IssueKind.links: "Broken links",
    IssueKind.statement: "Accessibility statement",
    IssueKind.documents: "Documents",
    IssueKind.journeys: "On a resident journey",
}

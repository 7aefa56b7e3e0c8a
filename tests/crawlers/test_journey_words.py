"""How a journey's steps read in the CLI, the dashboard and alerts: one sentence a step."""

from __future__ import annotations

import pytest

from crawlers.journeys import describe_step
from monitor.config import JourneyStep


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ({"goto": "/apply"}, "Go to /apply"),
        ({"click": {"role": "button", "name": "Continue"}}, 'Click button "Continue"'),
        ({"click": {"role": "button"}}, "Click a button"),
        ({"fill": {"label": "Email", "value": "x"}}, 'Fill field labelled "Email"'),
        (
            {"select": {"label": "Size", "value": "Large"}},
            "Choose 'Large' in field labelled \"Size\"",
        ),
        ({"check": {"text": "I agree"}}, 'Tick text "I agree"'),
        ({"press": {"key": "Enter"}}, "Press Enter"),
        (
            {"expect": {"text": "Thank you", "title": "Done"}},
            'Expect text "Thank you" and title "Done"',
        ),
        ({"wait_for": {"css": "#ref"}}, "Wait for element #ref"),
        ({"stop_before": True}, "Stop before submitting"),
        ({"name": "Pay the fee", "click": {"text": "Pay"}}, "Pay the fee"),
    ],
)
def test_each_kind_of_step_reads_as_a_sentence(step: dict[str, object], words: str) -> None:
    assert describe_step(JourneyStep.model_validate(step)) == words

"""Benchmark of redaction: the monitor's own redactor against Microsoft Presidio.

Both are run over the tests' redaction corpus (``tests/monitor/feedback/redaction_corpus.py``:
personal data of every kind the council asked for, written in many ways, and a keep list
of look-alikes) and over the feedback benchmark's realistic posts, for time per comment.

Presidio is not a dependency of the monitor; it is measured when it is installed in the
same interpreter (``pip install presidio-analyzer``). It is given every recogniser it has
for these kinds (its UK NHS, National Insurance, passport, driving licence and postcode
recognisers, cards, emails, IP addresses, dates, IBANs, and phone numbers through Google's
libphonenumber for GB, and the council's reference formats from ``services.yaml``), and
a blank English spaCy pipeline for tokens: its default wants
the 560 MB ``en_core_web_lg`` model, which it would download at run time, and whose names
and places are none of the kinds asked for. It is measured twice: on the text as typed,
and on the text after the same Unicode NFKC normalisation the monitor's redactor applies,
at its default score threshold and at 0.5.

"Leaked" counts a piece of personal data whose letters and digits are still in the
stored text (kinder to Presidio than the corpus test, which also wants the exact
placeholder); "over-redacted" counts keep-list comments that were changed.
"""

from __future__ import annotations

import importlib.util
import re
import statistics
import time
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = PROJECT / "tests" / "monitor" / "feedback" / "redaction_corpus.py"


def _corpus() -> tuple[dict[str, list[Any]], list[str]]:
    spec = importlib.util.spec_from_file_location("redaction_corpus", CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.PERSONAL, module.KEEP


def _core(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def score(redact: Callable[[str], str]) -> dict[str, Any]:
    """Leaked and over-redacted counts of one redactor over the corpus, by category."""
    personal, keep = _corpus()
    leaked: dict[str, int] = {}
    total = 0
    examples: list[str] = []
    for category, entries in personal.items():
        for text, found in entries:
            out = _core(redact(text))
            for secret, _ in found:
                total += 1
                if _core(secret) in out:
                    leaked[category] = leaked.get(category, 0) + 1
                    if len(examples) < 8:
                        examples.append(f"{category}: {secret!r}")
    over = [text for text in keep if redact(text) != text]
    return {
        "leaked": sum(leaked.values()),
        "total": total,
        "leaked_by_category": leaked,
        "over_redacted": len(over),
        "keep_total": len(keep),
        "examples_leaked": examples,
        "examples_over_redacted": over[:8],
    }


def timing(redact: Callable[[str], str], texts: list[str]) -> dict[str, float]:
    times = []
    for text in texts:
        began = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - began)
    ordered = sorted(times)
    return {
        "comments": len(times),
        "mean_us": round(statistics.fmean(times) * 1e6, 1),
        "p50_us": round(ordered[len(ordered) // 2] * 1e6, 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99)] * 1e6, 1),
    }


def _ours() -> Callable[[str], str]:
    from monitor.config import load_config
    from monitor.feedback.redaction import Redactor

    redactor = Redactor.for_council(
        load_config(PROJECT / "config").feedback, today=date(2025, 6, 1)
    )
    return lambda text: redactor.redact(text).text


def _presidio(threshold: float, normalise: bool) -> Callable[[str], str] | None:
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            DateRecognizer,
            EmailRecognizer,
            IbanRecognizer,
            IpRecognizer,
            NhsRecognizer,
            PhoneRecognizer,
            UkDrivingLicenceRecognizer,
            UkNinoRecognizer,
            UkPassportRecognizer,
            UkPostcodeRecognizer,
        )
    except ImportError:
        return None

    class BlankEnglish(SpacyNlpEngine):
        """Tokens only: no model to download, no names or places."""

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        CreditCardRecognizer(),
        DateRecognizer(),
        EmailRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        NhsRecognizer(),
        PhoneRecognizer(supported_regions=("GB",)),
        UkDrivingLicenceRecognizer(),
        UkNinoRecognizer(),
        UkPassportRecognizer(),
        UkPostcodeRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    # The council's own reference formats, as the monitor's redactor has them.
    from monitor.config import load_config

    for pattern in load_config(PROJECT / "config").feedback.redact_patterns:
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity="REFERENCE",
                patterns=[Pattern(pattern.name, f"(?i){pattern.pattern}", 1.0)],
            )
        )
    engine = BlankEnglish()
    engine.load()
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    def redact(text: str) -> str:
        if normalise:
            text = unicodedata.normalize("NFKC", text)
        found = analyzer.analyze(text=text, language="en", score_threshold=threshold)
        for result in sorted(found, key=lambda r: r.start, reverse=True):
            text = text[: result.start] + f"[{result.entity_type}]" + text[result.end :]
        return text

    return redact


def run() -> dict[str, Any]:
    from bench.feedback import realistic_posts

    posts = realistic_posts(2000)
    texts = [p.get("comment") or p.get("what_wrong") or "" for p in posts]
    ours = _ours()
    result: dict[str, Any] = {"ours": {**score(ours), "time_per_comment": timing(ours, texts)}}
    for threshold in (0.0, 0.5):
        for normalise in (False, True):
            presidio = _presidio(threshold, normalise)
            if presidio is None:
                result["presidio"] = "not installed (pip install presidio-analyzer to compare)"
                return result
            name = f"presidio_threshold_{threshold}" + ("_nfkc" if normalise else "")
            result[name] = {**score(presidio), "time_per_comment": timing(presidio, texts)}
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))

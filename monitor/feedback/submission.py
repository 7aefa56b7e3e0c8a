"""What a resident may send, and how a bad submission is explained.

One model validates the JSON API, the plain HTML form and CSV imports alike, so the three
ways in cannot drift apart. Every problem is reported as ``{"field", "message"}`` in words
a developer embedding the widget (or an officer importing a spreadsheet) can act on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from monitor.vocabulary import RATING_LABELS

SATISFACTION_QUESTION = "Overall, how satisfied were you with this service today?"
COMPLETED_QUESTION = "Did you finish what you came to do today?"
USEFUL_QUESTION = "Is this page useful?"
PROBLEM_HEADING = "Report a problem with this page"
WHAT_DOING = "What were you doing?"
WHAT_WRONG = "What went wrong?"
MAX_TEXT = 1200
MAX_PAGE = 1000  # the page_path column
HONEYPOT_FIELD = "website"

_RATING_WORDS = {label.lower(): value for value, label in RATING_LABELS.items()}
_RATING_WORDS["neither satisfied nor dissatisfied"] = 3
_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}
COMPLETED_VALUES = ("yes", "no", "partly")
KINDS = ("satisfaction", "page_useful", "problem")
TEXT_FIELDS = ("comment", "what_doing", "what_wrong")
# C0/C1 control characters other than tab and new lines: never meaningful in a comment,
# and PostgreSQL refuses NUL outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidSubmission(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


def rating_from(value: Any) -> int | None:
    """A rating from 1-5 or the words of the five-point scale; ``None`` if empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise PydanticCustomError("rating", "expected 1 to 5 or the words of the scale")
    if isinstance(value, int) and 1 <= value <= 5:
        return value
    if isinstance(value, float) and value in (1.0, 2.0, 3.0, 4.0, 5.0):
        return int(value)
    if isinstance(value, str):
        text = " ".join(value.strip().lower().split())
        if text in _RATING_WORDS:
            return _RATING_WORDS[text]
        if text.isdigit() and len(text) == 1 and 1 <= int(text) <= 5:
            return int(text)
    raise PydanticCustomError(
        "rating",
        "expected 1 to 5 or one of: " + ", ".join(RATING_LABELS[v] for v in range(5, 0, -1)),
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_text(value: str) -> str:
    if _SURROGATE.search(value):
        raise PydanticCustomError("text", "contains characters that are not valid text")
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


class FeedbackIn(BaseModel):
    """One piece of feedback from a resident (JSON API, HTML form or CSV import)."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "service": "report-a-pothole",
                    "page": "/report-a-pothole/done",
                    "kind": "satisfaction",
                    "rating": 4,
                    "completed": "yes",
                    "comment": "Quick and easy.",
                },
                {
                    "service": "join-the-library",
                    "page": "/join-the-library",
                    "kind": "page_useful",
                    "useful": False,
                },
                {
                    "service": "school-admissions",
                    "page": "/school-admissions/apply",
                    "kind": "problem",
                    "what_doing": "Applying for a school place",
                    "what_wrong": "The date fields would not accept my answer",
                },
            ]
        },
    )

    service: str = Field(description="A service id from services.yaml", max_length=80)
    page: str = Field(
        default="/", description="Path of the page the feedback is about", max_length=MAX_PAGE
    )
    kind: Literal["satisfaction", "page_useful", "problem"] = Field(
        description="satisfaction: the service rating; page_useful: 'Is this page useful?'; "
        "problem: 'Report a problem with this page'. Inferred from the fields when omitted."
    )
    rating: int | None = Field(
        default=None,
        description=f"{SATISFACTION_QUESTION} 5 Very satisfied … 1 Very dissatisfied "
        "(the words are accepted too)",
    )
    useful: bool | None = Field(default=None, description=USEFUL_QUESTION)
    completed: Literal["yes", "no", "partly"] | None = Field(
        default=None, description=COMPLETED_QUESTION
    )
    comment: str | None = Field(default=None, max_length=MAX_TEXT)
    what_doing: str | None = Field(default=None, max_length=MAX_TEXT, description=WHAT_DOING)
    what_wrong: str | None = Field(default=None, max_length=MAX_TEXT, description=WHAT_WRONG)
    website: str | None = Field(default=None, description="Leave empty: a trap for robots")

    @model_validator(mode="before")
    @classmethod
    def _infer_kind(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if data.get("kind") in (None, ""):
            data = dict(data)
            if data.get("rating") not in (None, ""):
                data["kind"] = "satisfaction"
            elif data.get("useful") not in (None, ""):
                data["kind"] = "page_useful"
            elif data.get("what_doing") or data.get("what_wrong"):
                data["kind"] = "problem"
        return data

    @field_validator("service", "comment", "what_doing", "what_wrong", "website", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = _clean_text(value)
            return value or None
        return value

    @field_validator("service", mode="after")
    @classmethod
    def _known_service(cls, value: str, info: Any) -> str:
        known: Collection[str] | None = (info.context or {}).get("services")
        if known is not None and value not in known:
            raise PydanticCustomError(
                "service",
                "unknown service '{service}'; expected one of: {known}",
                {"service": value[:80], "known": ", ".join(sorted(known))},
            )
        return value

    @field_validator("page", mode="before")
    @classmethod
    def _page_path(cls, value: Any) -> Any:
        if value is None:
            return "/"
        if not isinstance(value, str):
            return value
        value = _clean_text(value)
        if not value:
            return "/"
        if not value.startswith("/") and not value.startswith(("http://", "https://")):
            raise PydanticCustomError("page", "expected a page path starting with /")
        # Keep only the path: a query string can carry a resident's details.
        return urlsplit(value).path or "/"

    @field_validator("rating", mode="before")
    @classmethod
    def _rating(cls, value: Any) -> int | None:
        return rating_from(value)

    @field_validator("useful", mode="before")
    @classmethod
    def _useful(cls, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text == "":
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise PydanticCustomError("useful", "expected yes or no")

    @field_validator("completed", mode="before")
    @classmethod
    def _completed(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip().lower() or None
        return value


_REQUIRED_BY_KIND = {
    "satisfaction": ("rating", "required for a satisfaction rating (1 to 5)"),
    "page_useful": ("useful", "required: is this page useful? yes or no"),
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_type" and error.get("input") is None):
        return "required"
    if kind == "string_too_long":
        return f"at most {int(ctx.get('max_length', 0)):,} characters"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}".replace("'", "")
    if kind in ("string_type", "str_type"):
        return "expected text"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a JSON object"
    return str(error["msg"])


def parse_submission(data: Any, services: Collection[str]) -> FeedbackIn:
    """Validate one submission; raise ``InvalidSubmission`` naming every bad field."""
    try:
        submission = FeedbackIn.model_validate(data, context={"services": services})
    except ValidationError as exc:
        errors = []
        for error in exc.errors(include_url=False):
            loc = error.get("loc") or ()
            field = str(loc[0]) if loc else "body"
            errors.append(FieldError(field, _message(error)))
        raise InvalidSubmission(errors) from None
    required = _REQUIRED_BY_KIND.get(submission.kind)
    if required and getattr(submission, required[0]) is None:
        raise InvalidSubmission([FieldError(*required)])
    if submission.kind == "problem" and not (submission.what_doing or submission.what_wrong):
        raise InvalidSubmission([FieldError("what_wrong", "required: say what went wrong")])
    return submission

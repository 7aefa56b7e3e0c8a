"""Secrets (journey and sign-in credentials): read from the environment at run time, never
stored, logged or shown.

- ``read_secrets`` takes the named values from the environment; a missing one is named.
- ``Masker`` replaces every secret value (and its URL and HTML encodings) in a text.
- ``BLANK_SECRETS_JS`` blanks them in a page (text, attributes, field values) before
  anything reads it: a signed-in page that shows the resident's email address then holds
  no credential for a finding, a fingerprint or a screenshot to carry away.
- ``SecretsFilter`` masks every secret in use in this process out of log records, so a
  library logging what it typed (Selenium does at DEBUG) cannot write one to a log.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

MASK = "••••••"


class MissingSecrets(Exception):
    """Secrets a journey or a sign-in needs are not set where the monitor runs."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(
            "secret(s) not set in the monitor's environment: "
            + ", ".join(names)
            + " (set them where the monitor runs; they are never stored in config)"
        )
        self.names = names


def read_secrets(names: Iterable[str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The named secrets from the environment; ``MissingSecrets`` names any not set."""
    env = os.environ if environ is None else environ
    wanted = list(names)
    missing = [name for name in wanted if not env.get(name)]
    if missing:
        raise MissingSecrets(missing)
    values = {name: env[name] for name in wanted}
    remember(values.values())
    return values


class Masker:
    """Replaces every secret value (and its URL/HTML encodings) with a mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        variants: set[str] = set()
        for value in secrets:
            if not value:
                continue
            variants |= {value, quote(value, safe=""), quote_plus(value), quote(value)}
            variants |= {value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")}
        # Longest first, so an encoding that contains the plain value is masked whole.
        self._variants = sorted(variants, key=len, reverse=True)

    @property
    def variants(self) -> list[str]:
        return list(self._variants)

    def __bool__(self) -> bool:
        return bool(self._variants)

    def __call__(self, text: str | None) -> str | None:
        if text is None or not self._variants:
            return text
        for variant in self._variants:
            text = text.replace(variant, MASK)
        return text

    def text(self, text: str) -> str:
        masked = self(text)
        return masked if masked is not None else ""


# Every secret read in this process, for the log filter (values only live in memory).
_in_use: set[str] = set()
_in_use_lock = threading.Lock()


def remember(values: Iterable[str]) -> None:
    """Secrets now in use in this process: the log filter masks them from now on."""
    with _in_use_lock:
        _in_use.update(v for v in values if v)


def masker_of_all() -> Masker:
    """A masker of every secret this process has read."""
    with _in_use_lock:
        return Masker(list(_in_use))


class SecretsFilter(logging.Filter):
    """Masks every secret in use in this process out of a log record (message, arguments
    and traceback text) before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask = masker_of_all()
        if not mask:
            return True
        message = record.getMessage()
        masked = mask.text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask.text(record.exc_text)
        return True


#: Blanks the given secrets everywhere in the document: text, attributes (a field's
#: ``value`` as served, a ``title``, a link), field values and the title.
BLANK_SECRETS_JS = """(secrets) => {
  if (!secrets.length) return 0;
  let blanked = 0;
  const hide = (s) => {
    let out = s;
    for (const v of secrets) out = out.split(v).join('••••••');
    if (out !== s) blanked += 1;
    return out;
  };
  const holds = (s) => !!s && secrets.some((v) => s.includes(v));
  for (const el of document.querySelectorAll('*')) {
    for (const attr of Array.from(el.attributes)) {
      if (holds(attr.value)) el.setAttribute(attr.name, hide(attr.value));
    }
    if ((el.localName === 'input' || el.localName === 'textarea') && holds(el.value)) {
      el.value = hide(el.value);
    }
  }
  const walker = document.createTreeWalker(document.documentElement || document,
    NodeFilter.SHOW_TEXT | NodeFilter.SHOW_COMMENT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (holds(n.nodeValue)) n.nodeValue = hide(n.nodeValue);
  }
  if (holds(document.title)) document.title = hide(document.title);
  return blanked;
}"""


__all__ = [
    "BLANK_SECRETS_JS",
    "MASK",
    "Masker",
    "MissingSecrets",
    "SecretsFilter",
    "read_secrets",
    "remember",
]

"""The demo account area's signed-in sessions, and what tests can change about signing in."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Literal

SignInMode = Literal["normal", "captcha", "second-factor", "changed"]


@dataclass
class Accounts:
    """The demo's account sessions and what tests can change about signing in."""

    mode: SignInMode = "normal"
    #: A session ends after serving this many account pages (None: it lasts).
    pages_per_session: int | None = None
    #: How an account page answers a session that has ended: a redirect to the sign-in
    #: page (None), or this status (401 or 403), as some councils' platforms do.
    expired_status: int | None = None
    ended_answers: int = 0  # account pages answered with ``expired_status``
    sign_ins: int = 0  # successful sign-ins
    refused: int = 0  # sign-ins refused (wrong credentials, CAPTCHA, code)
    _sessions: dict[str, int] = field(default_factory=dict)  # token → account pages served
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start_session(self) -> str:
        """A new signed-in session; its token (the cookie's value)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = 0
        return token

    def serve(self, token: str | None) -> bool:
        """Whether ``token`` is a live session; counts one more account page served."""
        if not token:
            return False
        with self._lock:
            if token not in self._sessions:
                return False
            if (
                self.pages_per_session is not None
                and self._sessions[token] >= self.pages_per_session
            ):
                del self._sessions[token]  # expired: the resident must sign in again
                return False
            self._sessions[token] += 1
            return True

    def end_session(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def expire_sessions(self) -> None:
        """Every session ends now (as a server restart or a password change would)."""
        with self._lock:
            self._sessions.clear()

    def reset(self) -> None:
        with self._lock:
            self.mode = "normal"
            self.pages_per_session = None
            self.expired_status = None
            self.ended_answers = 0
            self.sign_ins = self.refused = 0
            self._sessions.clear()


__all__ = ["Accounts", "SignInMode"]

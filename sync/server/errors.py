"""The district server's own errors: refusals its commands and pages show as they are (plain text, no
personal data). They are not the terminal's ``kiosk.errors``: a server refusal never reaches a terminal
as an exception, only as an answer.

    ServerRefusal
     ├── AccountError        an admin account that cannot be made or changed (admin/)
     ├── TerminalAdminError  a terminal that cannot be registered, rotated, revoked (terminals/)
     ├── PublishError        a document or pack that cannot be published (feed/)
     ├── ArrangementError    a holiday arrangement that cannot be published (feed/calendar)
     └── OfficeError         the office's work (office/)
          └── StepRefused    a lifecycle step the law does not allow now
"""


class ServerRefusal(Exception):
    """Something the server's user asked that it will not do; the message says why, in plain words."""


class AccountError(ServerRefusal):
    """An admin account that cannot be made or changed."""


class TerminalAdminError(ServerRefusal):
    """A terminal that cannot be registered, rotated, revoked or removed."""


class PublishError(ServerRefusal):
    """A document or content pack that cannot be published (nothing was written)."""


class ArrangementError(ServerRefusal):
    """A holiday arrangement that cannot be published; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


class OfficeError(ServerRefusal):
    """A refusal of the office's console or commands."""


class StepRefused(OfficeError):
    """A lifecycle step the 条例 does not allow in the case's present state (nothing was written)."""

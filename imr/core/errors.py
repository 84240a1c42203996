"""The one exception type for mistakes a user can fix.

A user error carries a message key and parameters instead of a sentence, because the
sentence is user-facing text and lives in the strings files (`templates/strings/<lang>.yaml`)
in the workspace's language. The CLI turns it into one line and exit code 1.
"""

from __future__ import annotations


class ImrError(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str = "sv") -> str:
        from imr.core.strings import error_message

        return error_message(self.code, self.params, lang)

    def __str__(self) -> str:
        return self.message()

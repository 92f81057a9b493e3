"""Masking secrets in database URLs, wherever they are printed.

A secret can sit in two places of a URL: the userinfo
(``postgresql://scott:tiger@host/db``) and the query string
(``?password=tiger``, ``&sslpassword=...``, ``&access_token=...``, and the
like, which drivers accept as connection arguments).  Every output that
shows a URL (``check`` reports in every format, ``current -v``, log lines,
``FAILED:`` messages) goes through this one module, so a secret hidden in
one place is hidden in all.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

MASK = "***"

#: query keys that hold secrets: password, passwd, pwd, sslpassword, secret,
#: token, access_token, api_key, credentials...
_SECRET_WORD = r"(?:pass|pwd|secret|token|credential|api[_-]?key|access[_-]?key)"
_SECRET_KEY = re.compile(_SECRET_WORD, re.IGNORECASE)

# scheme://user:PASSWORD@host -- in free text the password may hold '@' or '/'
# unencoded: it ends at the last '@' of the URL (masking too much is safe).
_USERINFO = re.compile(
    r"(?P<head>\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)(?P<secret>\S+)(?P<tail>@[^@\s]*)"
)
# ?password=SECRET / &token=SECRET / ;pwd=SECRET in a URL's query string
_QUERY = re.compile(
    rf"(?P<head>[?&;][\w.-]*{_SECRET_WORD}[\w.-]*=)(?P<secret>[^&;\s'\"#)]*)",
    re.IGNORECASE,
)
# password=SECRET in a libpq-style "key=value key=value" connection string
_CONNINFO = re.compile(
    r"(?P<head>(?:^|(?<=\s))(?:ssl)?(?:password|passwd|pwd)\s*=\s*)(?P<secret>'[^']*'|[^\s'\"]+)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    """Whether a URL query key names a secret (``password``, ``sslpassword``, ``token``...)."""
    return _SECRET_KEY.search(key) is not None


def mask_url(url: URL | str) -> str:
    """A URL for printing: its password and every secret-looking query value masked."""
    if isinstance(url, str):
        # imported here, not at the top: the command line imports this module
        # for its FAILED: lines, and the listing commands never load SQLAlchemy
        from sqlalchemy.engine import make_url

        text = url
        try:
            url = make_url(text)
        except Exception:  # not a URL SQLAlchemy parses: mask it as text
            return mask_secrets(text)
    secrets = {key: MASK for key in url.query if is_secret_key(key)}
    if secrets:
        url = url.update_query_dict(secrets)
    text = url.render_as_string(hide_password=True)
    # render_as_string percent-encodes the mask in the query; show it plainly
    return text.replace("%2A%2A%2A", MASK)


def mask_secrets(text: str) -> str:
    """``text`` (a message, a log line) with every URL secret in it masked."""
    text = _USERINFO.sub(lambda m: f"{m.group('head')}{MASK}{m.group('tail')}", text)
    text = _QUERY.sub(lambda m: f"{m.group('head')}{MASK}", text)
    return _CONNINFO.sub(lambda m: f"{m.group('head')}{MASK}", text)

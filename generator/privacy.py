"""The last guard against a lead's e-mail address on a page or in a log (issue #24).

The models mask private details where they enter (macros/privacy.sql) and
count them; this is the same rule applied to every text value the site or
the build prints, should one ever reach it some other way.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
EMAIL_MASK = "[e-mail]"


def mask_emails(value: str) -> str:
    """Return the text with every e-mail address replaced by `[e-mail]`."""
    return EMAIL.sub(EMAIL_MASK, value)

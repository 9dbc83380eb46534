"""MkDocs hook: the tender-file reference page is what the code generates.

``docs/tender-file.md`` holds the generated key tables between two marker
comments, committed so that the page reads as plain Markdown on GitHub. The
site is built from that same text; this hook only checks it: if the tables
differ from what :func:`fleetcalc.reference.update_page` produces (a key added,
a type or a meaning changed), it logs a warning, which fails the strict build.
Regenerate with ``python -m fleetcalc.reference docs/tender-file.md``.
"""

from __future__ import annotations

import logging

log = logging.getLogger("mkdocs.plugins.fleetcalc.tender_reference")

PAGE = "tender-file.md"


def on_page_markdown(markdown, page, **_kwargs):
    """Warn (strict build: fail) when the committed reference is out of date."""
    if page.file.src_uri != PAGE:
        return markdown
    from fleetcalc.reference import update_page  # noqa: PLC0415

    if update_page(markdown) != markdown:
        log.warning("%s: the generated key tables are out of date; run "
                    "`python -m fleetcalc.reference docs/tender-file.md`", PAGE)
    return markdown

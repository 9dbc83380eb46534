"""Griffe extension: render the reST roles of numpydoc docstrings in the site.

The docstrings follow numpydoc (pvlib and numpy-financial practice), whose
formulas are reST: ``:math:`x```, ``.. math::`` blocks and cross-reference
roles such as ``:func:`name```. mkdocstrings renders docstrings as Markdown,
so before rendering this extension turns the math into the ``$...$`` and
``$$...$$`` that the site's arithmatex/KaTeX renders, and the roles into
code spans. The source docstrings stay standard numpydoc.
"""

from __future__ import annotations

import re

import griffe

_INLINE_MATH = re.compile(r":math:`([^`]+)`")
_ROLE = re.compile(r":(?:func|mod|class|meth|attr|data|obj|exc|py:\w+):`~?([^`]+)`")
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)\n"
                    r"(?P<body>(?:(?P=indent)[ \t]+.*\n|[ \t]*\n)*)", re.MULTILINE)


def _block(match):
    indent = match.group("indent")
    lines = [match.group("first")] if match.group("first").strip() else []
    lines += [line.strip() for line in match.group("body").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if any("&" in line or line.endswith("\\\\") for line in lines):
        # Sphinx wraps a multi-line math block in an align environment; KaTeX needs it
        lines = ["\\begin{aligned}", *lines, "\\end{aligned}"]
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines)
    return f"{indent}$$\n{body}\n{indent}$$\n\n"


def rst_to_markdown(text):
    """Convert numpydoc reST math and roles to Markdown with ``$`` math.

    Examples
    --------
    >>> rst_to_markdown("A :math:`x^2` and :func:`~fleetcalc.finance.npv`.")
    'A $x^2$ and `fleetcalc.finance.npv`.'
    """
    text = _BLOCK.sub(_block, text + ("\n" if not text.endswith("\n") else ""))
    text = _INLINE_MATH.sub(lambda m: f"${m.group(1)}$", text)
    return _ROLE.sub(lambda m: f"`{m.group(1)}`", text).rstrip("\n")


class RstToMarkdown(griffe.Extension):
    """Rewrite every docstring before mkdocstrings renders it."""

    def on_instance(self, *, obj, **kwargs):
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)

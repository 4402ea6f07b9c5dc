"""The QBR brief on an account's page: GetQBRBrief's own Markdown, rendered by markdown-it-py.

One text for Coda and the page, so the two never drift.  markdown-it-py runs in CommonMark mode
with raw HTML off (text from the data, such as `<script>`, is shown, not run) and its link check on
(`javascript:` links are not made); headings move down one level under the page's own title.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False})


def brief_html(markdown: str) -> Markup:
    tokens = _MD.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return Markup(_MD.renderer.render(tokens, _MD.options, {}))

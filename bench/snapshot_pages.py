"""Synthetic article pages for the snapshot benchmark, and a loopback server for them.

    .venv/bin/python -m bench.snapshot_pages --hosts 127.0.0.1,127.0.0.2,127.0.0.3 [--count 200]

Prints one JSON line (`{"bases": [...], "urls": [...]}`) once every host listens, then serves until
stdin closes or it is killed. The benchmark runs it as a separate process so that the server's CPU is
not counted against the runner (and so that it does not share the client's GIL).

Pages are deterministic (seeded): 2-40 KB of HTML each, an article of English-like paragraphs
(headings, lists, code, quotes, inline links) inside the usual boilerplate (navigation, an ad banner,
a sidebar with related links and a newsletter form, a footer, inline scripts and styles, a tracking
pixel); about 40 % carry 1-3 small PNG figures (1-6 KB, served from the same host).
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

TEXT_WORDS = (  # noqa: SIM905
    "the of and to in is that for it as with was on be by this are from at or an have not which but all "
    "can one has more their when will there if about into than other these some its would what only new "
    "also time first could two may then any like most over such where after used because many through "
    "data system query index page server client cache request memory thread process file network build "
    "release version change commit branch merge rebase test error value function class module package "
    "library database table column row transaction lock latency throughput benchmark profile trace debug "
    "config deploy cluster node container image volume service endpoint token session cookie browser "
    "render layout style script event handler callback promise async await stream buffer socket parser "
    "compiler runtime interpreter garbage collector pointer reference closure iterator generator tuple "
    "vector matrix tensor model training dataset feature label metric loss gradient optimizer learning "
    "review design pattern interface contract schema migration backup restore replica shard partition "
    "consistency availability timeout retry backoff queue worker scheduler cron job pipeline artifact"
).split()
NAV = ["Home", "Articles", "Tutorials", "Podcast", "Newsletter", "Jobs", "About", "Contact", "Archive",
       "Topics", "Events", "Sponsors"]  # fmt: skip


def _png(width: int, height: int, seed: int) -> bytes:
    """A valid RGB PNG of noise (incompressible, so its size is about 3 * width * height bytes)."""
    rng = random.Random(seed)
    raw = b"".join(b"\0" + rng.randbytes(3 * width) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _sentence(rng: random.Random) -> str:
    words = rng.choices(TEXT_WORDS, k=rng.randint(8, 24))
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random, host: str) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(2, 6))]
    if rng.random() < 0.3:
        k = rng.randrange(len(sentences))
        word = rng.choice(TEXT_WORDS)
        sentences[k] += f' See <a href="/articles/{word}-{rng.randint(1, 999)}.html">the {word} notes</a>.'
    if rng.random() < 0.2:
        sentences[0] = f"<strong>{sentences[0]}</strong>"
    return "<p>" + " ".join(sentences) + "</p>\n"


def _block(rng: random.Random, host: str) -> str:
    roll = rng.random()
    if roll < 0.08:
        return "<h2>" + " ".join(rng.choices(TEXT_WORDS, k=4)).capitalize() + "</h2>\n"
    if roll < 0.14:
        items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(rng.randint(3, 6)))
        return f"<ul>{items}</ul>\n"
    if roll < 0.18:
        lines = "\n".join(
            f"{rng.choice(TEXT_WORDS)} = {rng.choice(TEXT_WORDS)}({rng.randint(0, 99)})" for _ in range(4)
        )
        return f"<pre><code>{lines}</code></pre>\n"
    if roll < 0.21:
        return f"<blockquote><p>{_sentence(rng)}</p></blockquote>\n"
    return _paragraph(rng, host)


def make_page(index: int, host: str, seed: int = 11) -> tuple[str, bytes, dict[str, bytes]]:
    """(path, HTML bytes, {image path: PNG bytes}) of page `index`."""
    rng = random.Random(seed * 100_003 + index)
    target = int(2048 * (20 ** rng.random()))  # log-uniform 2-40 KB of HTML
    title = " ".join(rng.choices(TEXT_WORDS, k=rng.randint(4, 9))).capitalize()
    slug = "-".join(title.lower().split()[:5])
    path = f"/articles/{index:04d}-{slug}.html"
    images: dict[str, bytes] = {}
    if rng.random() < 0.4:
        for k in range(rng.randint(1, 3)):
            side = rng.randint(18, 44)
            images[f"/img/{index:04d}-{k}.png"] = _png(side, side, seed * 1000 + index * 4 + k)
    author = rng.choice(["Ada Lovelace", "Grace Hopper", "Ken Thompson", "Barbara Liskov", "Edsger Dijkstra"])
    nav = "".join(f'<li><a href="/{n.lower()}/">{n}</a></li>' for n in NAV)
    related = "".join(
        f'<li><a href="/articles/{rng.randint(1, 9999)}.html">{" ".join(rng.choices(TEXT_WORDS, k=5))}</a></li>'
        for _ in range(8)
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title} | {host} blog</title>\n'
        f'<meta name="author" content="{author}"><meta property="og:title" content="{title}">\n'
        f'<meta name="viewport" content="width=device-width"><link rel="stylesheet" href="/static/site.css">\n'
        "<style>body{font-family:sans-serif;margin:0}.ad{background:#eee}.sidebar{float:right;width:30%}</style>\n"
        '<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());'
        "</script></head>\n<body>\n"
        f'<header class="site-header"><a class="logo" href="/">{host} blog</a><nav><ul>{nav}</ul></nav>'
        '<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>\n'
        '<div class="ad ad-top" id="ad-728"><a href="https://ads.example.net/click?id=42">'
        '<img src="https://ads.example.net/banner.gif" width="728" height="90" alt="Advertisement"></a></div>\n'
        '<main><article class="post">\n'
        f'<h1>{title}</h1>\n<p class="byline">By <a rel="author" href="/authors/{author.split()[0].lower()}">'
        f'{author}</a> · <time datetime="2025-{1 + index % 12:02d}-{1 + index % 28:02d}">'
        f"{1 + index % 28} {['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun'][index % 6]} 2025</time></p>\n"
    )
    tail = (
        '</article>\n<aside class="sidebar"><h3>Related</h3><ul>' + related + "</ul>"
        '<div class="newsletter"><h3>Get the newsletter</h3><form action="/subscribe"><input type="email" '
        'name="email"><button>Subscribe</button></form></div><div class="ad ad-side"><a href="https://ads.example.net/'
        'c?id=7"><img src="https://ads.example.net/side.gif" width="300" height="250" alt="Ad"></a></div></aside>\n'
        '</main>\n<footer class="site-footer"><p>© 2025 ' + host + " blog. All rights reserved.</p><ul>"
        '<li><a href="/privacy">Privacy</a></li><li><a href="/terms">Terms</a></li><li><a href="/rss.xml">RSS</a>'
        "</li></ul></footer>\n<script>(function(){var s=document.createElement('script');s.src="
        "'https://tracker.example.net/t.js';document.body.appendChild(s)})();</script>\n"
        '<img src="https://tracker.example.net/px.gif" width="1" height="1" alt="">\n</body></html>\n'
    )
    body: list[str] = []
    size = len(head) + len(tail)
    figures = list(images)
    while size < target or len(body) < 2:
        block = _block(rng, host)
        if figures and len(body) >= 2 and rng.random() < 0.25:
            src = figures.pop(0)
            caption = f"<figcaption>{_sentence(rng)}</figcaption>"
            block += f'<figure><img src="{src}" alt="{rng.choice(TEXT_WORDS)} diagram">{caption}</figure>\n'
        body.append(block)
        size += len(block.encode())
    body.extend(f'<figure><img src="{src}" alt="figure"></figure>\n' for src in figures)
    return path, (head + "".join(body) + tail).encode(), images


def make_site(hosts: list[str], count: int) -> dict[str, dict[str, bytes]]:
    """host -> {path: body}: page i lives on hosts[i % len(hosts)]; its images on the same host."""
    site: dict[str, dict[str, bytes]] = {h: {} for h in hosts}
    for index in range(count):
        host = hosts[index % len(hosts)]
        path, html, images = make_page(index, host)
        site[host][path] = html
        site[host].update(images)
    return site


def page_order(hosts: list[str], count: int) -> list[tuple[str, str]]:
    """(host, path) of every page, in index order."""
    return [(hosts[i % len(hosts)], make_page(i, hosts[i % len(hosts)])[0]) for i in range(count)]


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's delayed ACK
    # (~40 ms on Linux loopback), which would measure the test server, not the client.
    disable_nagle_algorithm = True

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        body = self.server.files.get(path)
        try:
            if body is None:
                self._send(404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>")
            elif path.endswith(".png"):
                self._send(200, "image/png", body)
            else:
                self._send(200, "text/html; charset=utf-8", body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str, files: dict[str, bytes]) -> None:
        super().__init__((host, 0), _Handler)
        self.files = files

    def handle_error(self, request: object, client_address: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", default="127.0.0.1,127.0.0.2,127.0.0.3")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    hosts = args.hosts.split(",")
    site = make_site(hosts, args.count)
    servers = {h: _SiteServer(h, site[h]) for h in hosts}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    bases = {h: f"http://{h}:{s.server_address[1]}" for h, s in servers.items()}
    urls = [bases[h] + p for h, p in page_order(hosts, args.count)]
    html_bytes = sum(len(b) for f in site.values() for p, b in f.items() if p.endswith(".html"))
    image_bytes = sum(len(b) for f in site.values() for p, b in f.items() if p.endswith(".png"))
    images = sum(1 for f in site.values() for p in f if p.endswith(".png"))
    print(json.dumps({"bases": list(bases.values()), "urls": urls, "html_bytes": html_bytes,
                      "image_bytes": image_bytes, "images": images}), flush=True)  # fmt: skip
    sys.stdin.read()  # until the benchmark closes our stdin (or kills us)
    for server in servers.values():
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()

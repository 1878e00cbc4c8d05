"""Generate a local press site of N articles for the benchmarks, served by tests/support/siteserver.py.

Why generated, not saved: the benchmarks need thousands of pages with the wire truth of a real
CMS (ETag and Last-Modified on every page, a sitemap with ``lastmod``, an RSS feed of the latest
items, a paginated listing) and a second state where 1 % of the articles changed. The text is
French, cut from the seed texts kept with the fixture sites (``tests/sites/*/seed_*.txt``, read
through ``tests/support/seeds.py``; when absent, from a built-in paragraph),
and every ``--secpa-every``-th article mentions SECPA; the others contain none of the watch terms.

Layout (Drupal-like, as ``tests/sites/drupal_like``)::

    /                        home = page 1 of the listing, <link rel=alternate> to the feed
    /actualites?page=K       listing pages 2.. (K is 0-based as in Drupal), rel=next pager
    /rss.xml                 RSS 2.0, the latest ``feed_size`` articles
    /sitemap.xml             every article with its lastmod
    /robots.txt              "Sitemap:" line
    /actualites/<slug>-<i>   article i (0 = newest): JSON-LD NewsArticle, og:*, <article>

State ``changed`` (``server.set_state("changed")``): ``changed_fraction`` of the articles, spread
evenly and never among the feed's items, have a new paragraph, a new ETag and Last-Modified, and
a new ``lastmod`` in ``sitemap.v2.xml``.

    python -m bench.sitegen /tmp/site --articles 2000
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from monitor.alerts.french import MONTHS
from tests.support.seeds import seed_files

NEWEST = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
STEP = timedelta(hours=7)
TERM = re.compile(r"secpa|sepca|participati", re.I)
FALLBACK = (
    "Les centres de santé accueillent chaque année des milliers de patients dans les quartiers "
    "prioritaires. Les équipes pluriprofessionnelles coordonnent les parcours de soins avec les "
    "hôpitaux de proximité. Le financement de la coordination reste une question ouverte pour "
    "les agences régionales de santé. Les fédérations demandent un modèle économique durable. "
    "L'expérimentation SECPA a montré l'intérêt d'une gouvernance partagée avec les habitants."
)
TOPICS = [
    "les centres de santé",
    "l'accès aux soins",
    "la coordination pluriprofessionnelle",
    "les maisons de santé",
    "la médiation en santé",
    "les soins primaires",
    "l'ARS",
    "la convention médicale",
    "la santé communautaire",
    "les déserts médicaux",
    "l'Assurance Maladie",
    "la prévention",
    "les infirmiers en pratique avancée",
]
HEADS = [
    "Nouvelles perspectives pour",
    "Ce qu'il faut retenir sur",
    "Rencontre régionale consacrée à",
    "Tribune : repenser",
    "Rapport annuel sur",
    "Un colloque pour débattre de",
    "Les équipes mobilisées pour",
    "Questions-réponses sur",
    "Retour d'expérience sur",
    "Communiqué : la fédération s'exprime sur",
]
HTML_TYPE = "text/html; charset=UTF-8"


@dataclass
class SiteInfo:
    """What was generated: enough for the benchmarks to classify requests and check counts."""

    folder: Path
    articles: list[str]  # URL paths, newest first
    matching: list[str]  # paths whose text mentions SECPA
    changed: list[str]  # paths that differ in state "changed"
    listings: list[str] = field(default_factory=list)  # home + /actualites?page=K
    feed_size: int = 0
    bytes_total: int = 0  # size of the served files (first state)

    def is_article(self, target: str) -> bool:
        return target.split("?")[0] in self._article_set

    def __post_init__(self) -> None:
        self._article_set = set(self.articles)


def sentences(seeds: list[Path] | None = None) -> tuple[list[str], list[str]]:
    """(neutral sentences, sentences mentioning a watch term) from the seed texts."""
    texts = [p.read_text("utf-8") for p in (seed_files() if seeds is None else seeds)]
    raw = " ".join(texts) or FALLBACK
    found = []
    for line in raw.splitlines() or [raw]:
        for s in re.split(r"(?<=[.!?])\s+", line.strip()):
            s = re.sub(r"[\[\]*#]|\(#\)", "", s).strip()
            if len(s) >= 50 and s[-1] in ".!?" and "http" not in s:
                found.append(s)
    found = found or re.split(r"(?<=[.])\s+", FALLBACK)
    neutral = [s for s in found if not TERM.search(s)]
    term = [s for s in found if "SECPA" in s.upper()]
    return neutral, term


def slugify(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


def french_date(d: datetime) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _chrome(title: str, head_extra: str, content: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="fr" dir="ltr">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<title>{html.escape(title)} | Fédération des centres de santé</title>
<link rel="alternate" type="application/rss+xml" title="Actualités" href="{{{{BASE}}}}/rss.xml" />
<link rel="stylesheet" media="all" href="/sites/default/files/css/css_Xq3hV9.css" />
<script src="/core/assets/vendor/jquery/jquery.min.js?v=3.7.1"></script>
{head_extra}
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Aller au contenu principal</a>
<header role="banner"><div class="region region-header">
<a href="/" rel="home"><img src="/sites/default/files/logo.png" alt="Accueil" /></a>
<div class="user-menu"><a href="/user/login">Se connecter</a></div></div></header>
<nav role="navigation" id="block-main-menu"><ul class="menu">
<li class="menu-item"><a href="/">Accueil</a></li>
<li class="menu-item"><a href="/la-federation">La Fédération</a></li>
<li class="menu-item"><a href="/les-centres-de-sante">Les centres de santé</a></li>
<li class="menu-item"><a href="/actualites">Actualités</a></li>
<li class="menu-item"><a href="/adherer">Adhérer</a></li>
<li class="menu-item"><a href="/contact">Contact</a></li></ul></nav>
<main role="main"><a id="main-content" tabindex="-1"></a><div class="layout-content">
{content}
</div></main>
<footer role="contentinfo"><div class="region region-footer">
<p>Fédération des centres de santé — 3-5 rue de Vincennes, 93100 Montreuil — <a
href="mailto:contact@federation.example">contact@federation.example</a></p>
<ul class="menu"><li><a href="/mentions-legales">Mentions légales</a></li>
<li><a href="/plan-du-site">Plan du site</a></li><li><a href="/sitemap.xml">Sitemap</a></li></ul>
</div></footer>
</body>
</html>
"""


@dataclass
class _Article:
    i: int
    path: str
    title: str
    published: datetime
    author: str
    paragraphs: list[str]


def _article_html(a: _Article, modified: datetime) -> str:
    url = "{{BASE}}" + a.path
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": a.title,
        "datePublished": a.published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": {"@type": "Person", "name": a.author},
        "mainEntityOfPage": url,
    }
    head = (
        f'<link rel="canonical" href="{url}" />\n'
        f'<meta property="og:type" content="article" />\n'
        f'<meta property="og:title" content="{html.escape(a.title)}" />\n'
        f'<meta property="og:url" content="{url}" />\n'
        f'<meta property="article:published_time" content="{a.published.isoformat()}" />\n'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    )
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in a.paragraphs)
    content = f"""<div class="region region-breadcrumb"><nav class="breadcrumb"><ol>
<li><a href="/">Accueil</a></li>
<li><a href="/actualites">Actualités</a></li></ol></nav></div>
<article role="article" class="node node--type-article node--view-mode-full">
<div class="field--name-field-label">Actualité</div>
<h1 class="page-title">{html.escape(a.title)}</h1>
<div class="node__meta">Publié le <time
datetime="{a.published.isoformat()}">{french_date(a.published)}</time> par <span
class="author">{html.escape(a.author)}</span></div>
<div class="field--name-body">
{body}
</div>
</article>
<aside class="share"><a href="https://www.facebook.com/sharer/sharer.php?u={url}">Partager</a></aside>"""
    return _chrome(a.title, head, content)


def _listing_html(page: list[_Article], k: int, pages: int) -> str:
    rows = "\n".join(
        f'<div class="views-row"><h3><a href="{a.path}">{html.escape(a.title)}</a></h3>'
        f'<p class="date">{french_date(a.published)}</p>'
        f"<p>{html.escape(a.paragraphs[0][:180])}…</p></div>"
        for a in page
    )
    pager = ""
    if k + 1 < pages:
        pager = (
            '<nav class="pager" role="navigation"><ul class="pager__items">'
            f'<li class="pager__item is-active"><a href="/actualites?page={k}" aria-current="page">'
            f"{k + 1}</a></li>"
            f'<li class="pager__item pager__item--next"><a href="/actualites?page={k + 1}" rel="next" '
            'title="Aller à la page suivante"><span aria-hidden="true">››</span></a></li></ul></nav>'
        )
    title = "Accueil" if k == 0 else f"Actualités, page {k + 1}"
    content = f'<h1>{title}</h1>\n<div class="view-content">\n{rows}\n</div>\n{pager}'
    return _chrome(title, "", content)


def _feed_xml(items: list[_Article]) -> str:
    entries = "\n".join(
        f"<item><title>{html.escape(a.title)}</title><link>{{{{BASE}}}}{a.path}</link>"
        f'<guid isPermaLink="true">{{{{BASE}}}}{a.path}</guid>'
        f"<pubDate>{format_datetime(a.published, usegmt=True)}</pubDate>"
        f"<description>{html.escape(a.paragraphs[0])}</description></item>"
        for a in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Actualités</title><link>{{{{BASE}}}}/</link>
<description>Fédération des centres de santé</description>
<atom:link href="{{{{BASE}}}}/rss.xml" rel="self" type="application/rss+xml" />
<language>fr</language>
{entries}
</channel></rss>
"""


def _sitemap_xml(articles: list[_Article], lastmod: dict[str, datetime]) -> str:
    urls = "\n".join(
        f"<url><loc>{{{{BASE}}}}{a.path}</loc><lastmod>{lastmod[a.path].isoformat()}</lastmod></url>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"<url><loc>{{{{BASE}}}}/</loc><changefreq>daily</changefreq></url>\n{urls}\n</urlset>\n"
    )


def _toml_entry(key: str, file: str, ctype: str, etag: str, modified: datetime | None) -> str:
    headers = f'Content-Type = "{ctype}", ETag = \'"{etag}"\''
    if modified is not None:
        headers += f', Last-Modified = "{format_datetime(modified, usegmt=True)}"'
    return f'[{key}]\nfile = "{file}"\nheaders = {{ {headers} }}\n'


def _make_articles(n: int, rng: random.Random, secpa_every: int) -> list[_Article]:
    neutral, term = sentences()
    authors = ["Claire Martin", "Julien Robert", "Sophie Bernard", "Karim Haddad", "Léa Petit"]
    out = []
    for i in range(n):
        title = f"{rng.choice(HEADS)} {rng.choice(TOPICS)}"
        paragraphs = [
            " ".join(rng.sample(neutral, k=min(len(neutral), rng.randint(2, 4))))
            for _ in range(rng.randint(6, 10))
        ]
        if secpa_every and i % secpa_every == 0 and term:
            at = rng.randrange(len(paragraphs))
            paragraphs[at] += " " + rng.choice(term)
        published = NEWEST - STEP * i
        path = f"/actualites/{slugify(title)}-{i}"
        out.append(_Article(i, path, title, published, rng.choice(authors), paragraphs))
    return out


def generate(
    folder: Path,
    articles: int = 2000,
    *,
    per_page: int = 20,
    feed_size: int = 20,
    secpa_every: int = 20,
    changed_fraction: float = 0.01,
    seed: int = 7,
) -> SiteInfo:
    """Write the site into ``folder`` (created) with its MANIFEST.toml; return what it holds."""
    folder = Path(folder)
    (folder / "a").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    arts = _make_articles(articles, rng, secpa_every)
    n_changed = max(1, round(articles * changed_fraction)) if changed_fraction > 0 else 0
    candidates = list(range(min(feed_size, articles), articles))
    stride = max(1, len(candidates) // n_changed) if n_changed else 1
    changed = [
        arts[candidates[j * stride + stride // 2]] for j in range(min(n_changed, len(candidates)))
    ]
    edited_at = NEWEST + timedelta(days=1)

    manifest = [
        "# Generated by bench/sitegen.py: do not edit, regenerate.",
        "[site]",
        f'description = "benchmark press site, {articles} articles"',
        f'captured = "{NEWEST.date().isoformat()}"',
        'provenance = "generated by bench/sitegen.py from the seeds in tests/sites/*/seed_*.txt"',
        "",
    ]
    written = 0

    def put(name: str, text: str) -> None:
        nonlocal written
        data = text.encode("utf-8")
        written += len(data)
        (folder / name).write_bytes(data)

    pages = max(1, -(-articles // per_page))
    listings = []
    for k in range(pages):
        chunk = arts[k * per_page : (k + 1) * per_page]
        name = f"listing-{k}.html"
        put(name, _listing_html(chunk, k, pages))
        keys = ['paths."/"'] if k == 0 else []
        keys.append(f'paths."/actualites?page={k}"')
        if k == 0:
            keys.append('paths."/actualites"')
        for key in keys:
            manifest.append(_toml_entry(key, name, HTML_TYPE, f"list-{k}-1", chunk[0].published))
        listings.append("/" if k == 0 else f"/actualites?page={k}")
    put("rss.xml", _feed_xml(arts[:feed_size]))
    manifest.append(
        _toml_entry(
            'paths."/rss.xml"',
            "rss.xml",
            "application/rss+xml; charset=utf-8",
            "rss-1",
            arts[0].published,
        )
    )
    lastmod = {a.path: a.published for a in arts}
    put("sitemap.xml", _sitemap_xml(arts, lastmod))
    manifest.append(
        _toml_entry(
            'paths."/sitemap.xml"',
            "sitemap.xml",
            "application/xml; charset=utf-8",
            "sitemap-1",
            arts[0].published,
        )
    )
    put("robots.txt", "User-agent: *\nDisallow: /user/\nSitemap: {{BASE}}/sitemap.xml\n")
    for a in arts:
        name = f"a/{a.i}.html"
        put(name, _article_html(a, a.published))
        manifest.append(_toml_entry(f'paths."{a.path}"', name, HTML_TYPE, f"a{a.i}-1", a.published))

    # state "changed": the edited articles and the sitemap that announces them
    for a in changed:
        lastmod[a.path] = edited_at
        a.paragraphs.append(
            f"Mise à jour du {french_date(edited_at)} : la fédération a précisé sa position "
            f"après la publication de cet article (modification {a.i})."
        )
        name = f"a/{a.i}.v2.html"
        (folder / name).write_text(_article_html(a, edited_at), "utf-8")
        manifest.append(
            _toml_entry(f'states.changed.paths."{a.path}"', name, HTML_TYPE, f"a{a.i}-2", edited_at)
        )
    (folder / "sitemap.v2.xml").write_text(_sitemap_xml(arts, lastmod), "utf-8")
    manifest.append(
        _toml_entry(
            'states.changed.paths."/sitemap.xml"',
            "sitemap.v2.xml",
            "application/xml; charset=utf-8",
            "sitemap-2",
            edited_at,
        )
    )
    (folder / "MANIFEST.toml").write_text("\n".join(manifest), "utf-8")
    return SiteInfo(
        folder=folder,
        articles=[a.path for a in arts],
        matching=[a.path for a in arts if any("SECPA" in p.upper() for p in a.paragraphs)],
        changed=[a.path for a in changed],
        listings=listings,
        feed_size=min(feed_size, articles),
        bytes_total=written,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sitegen", description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--articles", type=int, default=2000)
    a = ap.parse_args(argv)
    info = generate(a.folder, a.articles)
    print(
        f"{len(info.articles)} articles ({len(info.matching)} mention SECPA, "
        f"{len(info.changed)} change in state 'changed'), {len(info.listings)} listing pages, "
        f"{info.bytes_total / 1e6:.1f} MB in {info.folder}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Writes the labelled article pages of this folder (hand-built; issue 13).

Run from the repository root: ``python tests/sites/labelled/make_pages.py``. The pages are
committed; this script records how they were built so that a class can be extended. Every page
follows the structure of a pattern the issue lists (a WordPress, Drupal or press template with the
trap of its class) and names its expected publication day and title in ``expectations.toml``.
The French association and press pages are modelled on the seeds (SITES.md §FNCS, §AVECsanté,
"Dates seen in the wild"). Nothing here is read at test time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"

LOREM_FR = (
    "La fédération rappelle que les centres de santé participatifs accueillent des publics "
    "éloignés du soin et que leur financement conditionne la continuité des équipes. "
    "Les structures d’exercice coordonné participatives ont fait l’objet d’une évaluation "
    "positive, et les acteurs demandent leur entrée dans le droit commun. "
)
LOREM_EN = (
    "The organisation said the programme had reached more people than expected this year, and "
    "that the next phase would focus on rural areas where access to care remains difficult. "
    "Volunteers and staff will meet again in the spring to review the results together. "
)


@dataclass
class Page:
    slug: str
    klass: str
    url: str
    day: str  # expected publication day, "" when the page gives none
    title: str
    french: bool = True
    article: bool = True
    head: list[str] = field(default_factory=list)  # extra <head> lines
    title_tag: str | None = None  # <title>, defaults to the title
    jsonld: dict | None = None
    top: str = ""  # before the article (site header)
    header: str = ""  # inside <article>, after the <h1> (byline)
    h1: str | None = None  # None: the title; "" : no <h1>
    body: str = ""
    after: str = ""  # after the article (related, sidebar, footer)
    before_article: str = ""  # sidebar placed before the article in the DOM


def paragraphs(n: int, french: bool = True) -> str:
    text = LOREM_FR if french else LOREM_EN
    return "\n".join(f"<p>{text}</p>" for _ in range(n))


def render(p: Page) -> str:
    head = [
        '<meta charset="utf-8">',
        f"<title>{p.title_tag if p.title_tag is not None else p.title}</title>",
        *p.head,
    ]
    if p.jsonld:
        head.append(
            '<script type="application/ld+json">'
            + json.dumps(p.jsonld, ensure_ascii=False)
            + "</script>"
        )
    h1 = p.title if p.h1 is None else p.h1
    h1_html = f"<h1>{h1}</h1>" if h1 else ""
    body = p.body or paragraphs(3, p.french)
    lang = "fr" if p.french else "en"
    nl = "\n"
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
{nl.join(head)}
</head>
<body>
<header class="site-header"><a href="/">Accueil</a> <nav><a href="/actualites">Actualités</a></nav></header>
{p.top}
<div class="layout">
{p.before_article}
<main>
<article class="post">
<header class="entry-header">{h1_html}
{p.header}
</header>
<div class="entry-content">
{body}
</div>
</article>
</main>
{p.after}
</div>
<footer class="site-footer"><p>© 2026 — Mentions légales</p></footer>
</body>
</html>
"""


def related(dates: list[str], french: bool = True) -> str:
    label = "Articles similaires" if french else "Related posts"
    cards = "".join(
        f'<li><a href="/p{i}">Autre article {i}</a> <time datetime="{d}">{d[:10]}</time></li>'
        for i, d in enumerate(dates)
    )
    return f'<aside class="sidebar widget"><h2>{label}</h2><ul>{cards}</ul></aside>'


def meta(prop: str, content: str) -> str:
    key = "property" if prop.startswith(("og:", "article:")) else "name"
    return f'<meta {key}="{prop}" content="{content}">'


def build() -> list[Page]:
    pages: list[Page] = []
    add = pages.append

    # -- 1. no cheap date: the date only in running text (htmldate extensive), or none ---------
    for i, (sentence, day) in enumerate(
        [
            ("Lyon, le 12 mars 2024 — la fédération a réuni ses adhérents.", "2024-03-12"),
            ("Paris, le 3 octobre 2023. Le conseil d’administration a voté.", "2023-10-03"),
            ("Communiqué diffusé à Nantes le 21 juin 2022 par le collectif.", "2022-06-21"),
            ("Marseille, 5 janvier 2021 : ouverture d’un nouveau centre.", "2021-01-05"),
        ]
    ):
        add(
            Page(
                f"no-date-text-{i}",
                "no-cheap-date",
                f"https://assos-sante.example/actus/reunion-{i}",
                day,
                f"Réunion des adhérents numéro {i + 1}",
                body=f"<p>{sentence} {LOREM_FR}</p>" + paragraphs(2),
            )
        )
    for i, (sentence, day) in enumerate(
        [
            ("London, 14 February 2019 — The charity opened its new clinic.", "2019-02-14"),
            ("Boston, March 3, 2018. The board approved the plan.", "2018-03-03"),
        ]
    ):
        add(
            Page(
                f"no-date-text-en-{i}",
                "no-cheap-date",
                f"https://charity.example/news/clinic-{i}",
                day,
                f"New clinic opens its doors {i + 1}",
                french=False,
                body=f"<p>{sentence} {LOREM_EN}</p>" + paragraphs(2, False),
            )
        )
    for i in range(3):
        add(
            Page(
                f"no-date-at-all-{i}",
                "no-cheap-date",
                f"https://assos-sante.example/qui-sommes-nous-{i}",
                "",
                f"Notre projet associatif {i + 1}",
            )
        )

    # -- 2. hidden attribute vs visible text; <time> of a related block first in the DOM -------
    hidden_cases = [
        ("2019-07-03T10:18:46Z", "Publié le 29 juin 2019", "2019-06-29"),
        ("2020-01-15T08:00:00+01:00", "Publié le 10 janvier 2020", "2020-01-10"),
        ("2021-09-01", "Mis en ligne le 28 août 2021", "2021-08-28"),
        ("2018-12-31T23:00:00Z", "Publié le 24 décembre 2018", "2018-12-24"),
    ]
    for i, (attr, visible, day) in enumerate(hidden_cases):
        add(
            Page(
                f"hidden-attr-{i}",
                "hidden-vs-visible",
                f"https://presse-sante.example/article/hidden-{i}",
                day,
                f"Le financement des centres en question ({i + 1})",
                header=f'<p class="byline"><time datetime="{attr}">{visible}</time></p>',
            )
        )
    for i, (first, own, day) in enumerate(
        [
            ("2022-02-01T09:00:00+01:00", "2021-11-18T14:00:00+01:00", "2021-11-18"),
            ("2023-05-05T10:00:00+02:00", "2023-03-14T09:30:00+01:00", "2023-03-14"),
            ("2020-10-10T10:00:00+02:00", "2020-09-02T11:00:00+02:00", "2020-09-02"),
            ("2024-04-04T08:00:00+02:00", "2024-01-29T16:45:00+01:00", "2024-01-29"),
        ]
    ):
        add(
            Page(
                f"related-time-first-{i}",
                "hidden-vs-visible",
                f"https://presse-sante.example/article/related-{i}",
                day,
                f"Soins primaires : ce qui change en {day[:4]} ({i + 1})",
                before_article=related([first, first]),
                header=f'<p class="meta">Par Anne Leroy, <time datetime="{own}"></time></p>',
            )
        )

    # -- 3. date formats that used to be refused ------------------------------------------------
    refused = [
        ("20201123T11:02:35Z", "2020-11-23"),
        ("Tue Jan 28 15:28:56 CET 2020", "2020-01-28"),
        ("Tue, Sep 15 2020 10:01:41 EDT", "2020-09-15"),
        ("2020-12-05T23:15:0Z", "2020-12-06"),
        ("Wed, 03 Dec 2025 23:30:00 +0000", "2025-12-04"),
        ("2019-04-07T9:05:00+02:00", "2019-04-07"),
        ("Mon Mar 02 08:00:00 EST 2020", "2020-03-02"),
        ("Thu, Jul 9 2020 22:10:00 PDT", "2020-07-09"),
        ("20210310T070000Z", "2021-03-10"),
        ("2022-08-14T23:59:5Z", "2022-08-15"),
    ]
    for i, (raw, day) in enumerate(refused):
        add(
            Page(
                f"refused-format-{i}",
                "refused-format",
                f"https://news.example/story/format-{i}",
                day,
                f"Community health report number {i + 1}",
                french=False,
                head=[meta("article:published_time", raw)],
            )
        )

    # -- 4. structured date contradicted by the visible byline; widget dates --------------------
    contradicted = [
        ("2021-05-10T08:00:00+02:00", "Publié le 3 mai 2021", "2021-05-03"),
        ("2023-01-20T12:00:00+01:00", "Publié le 12 janvier 2023 à 17h00", "2023-01-12"),
        ("2020-07-01T00:00:00+02:00", "Publié le 1er juin 2020", "2020-06-01"),
        ("2024-02-28T10:00:00+01:00", "Publié le 26/02/2024", "2024-02-26"),
    ]
    for i, (structured, byline, day) in enumerate(contradicted):
        add(
            Page(
                f"jsonld-vs-byline-{i}",
                "structured-contradicted",
                f"https://presse-sante.example/2024/actu-{i}",
                day,
                f"Exercice coordonné : la négociation reprend ({i + 1})",
                jsonld={
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": f"Exercice coordonné : la négociation reprend ({i + 1})",
                    "datePublished": structured,
                },
                header=f'<p class="byline">{byline}</p>',
            )
        )
    for i, (structured, byline, day) in enumerate(
        [
            ("2022-11-30T09:00:00+01:00", "Publié le 15 novembre 2022", "2022-11-15"),
            ("2019-09-09T09:09:09+02:00", "Publié le 2 septembre 2019", "2019-09-02"),
        ]
    ):
        add(
            Page(
                f"meta-vs-byline-{i}",
                "structured-contradicted",
                f"https://presse-sante.example/article/meta-{i}",
                day,
                f"Maisons de santé : un rapport attendu ({i + 1})",
                head=[meta("article:published_time", structured)],
                header=f'<div class="post-date">{byline}</div>',
            )
        )
    for i, (widget, byline, day) in enumerate(
        [
            ("30/11/2026", "Publié le 4 mars 2025", "2025-03-04"),
            ("01/12/2026", "Publié le 17 février 2026", "2026-02-17"),
        ]
    ):
        add(
            Page(
                f"widget-date-{i}",
                "structured-contradicted",
                f"https://assos-sante.example/actualite-widget-{i}",
                day,
                f"Assemblée générale de la fédération ({i + 1})",
                top=f'<div class="topbar"><span class="today">{widget}</span></div>',
                header=f'<p class="submitted">{byline}</p>',
            )
        )

    # -- 5. time zones ------------------------------------------------------------------------------
    zones = [
        ("2020-06-01T23:30:00-04:00", "2020-06-01"),
        ("2020-06-01T22:30:00Z", "2020-06-02"),
        ("2021-12-31T23:30:00+00:00", "2022-01-01"),
        ("2020-03-05T01:00:00+09:00", "2020-03-05"),
        ("2022-07-14T23:45:00+02:00", "2022-07-14"),
        ("2019-11-03T23:10:00-08:00", "2019-11-03"),
        ("2023-02-28T23:20:00Z", "2023-03-01"),
        ("2024-10-27T00:30:00+01:00", "2024-10-27"),
    ]
    for i, (raw, day) in enumerate(zones):
        add(
            Page(
                f"time-zone-{i}",
                "time-zone",
                f"https://news.example/story/zone-{i}",
                day,
                f"Health workers gather for the annual meeting {i + 1}",
                french=False,
                jsonld={
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "datePublished": raw,
                },
            )
        )

    # -- 6. titles that carry the site name; a page without a usable <h1> ---------------------------
    titled = [
        (
            "Pourquoi la santé communautaire dérange",
            " | AOC media - Analyse Opinion Critique",
            "AOC media - Analyse Opinion Critique",
        ),
        ("What we do", " - Creative Commons", "Creative Commons"),
        (
            "Les centres de santé face à la crise",
            " – Le Quotidien du Médecin",
            "Le Quotidien du Médecin",
        ),
        ("Fin de l’expérimentation SECPA", " | FNCS", "FNCS"),
        ("Rencontres AVECsanté 2025", " - AVECsanté", "AVECsanté"),
        ("La tribune des centres participatifs", " | Mediapart", "Mediapart"),
    ]
    for i, (title, suffix, site) in enumerate(titled):
        add(
            Page(
                f"title-suffix-{i}",
                "title-site-name",
                f"https://press-{i}.example/article/titre-{i}",
                "2025-05-1" + str(i),
                title,
                head=[
                    meta("og:title", title + suffix),
                    meta("og:site_name", site),
                    meta("article:published_time", f"2025-05-1{i}T10:00:00+02:00"),
                ],
                title_tag=title + suffix,
                h1="",
            )
        )
    add(
        Page(
            "title-prefix-0",
            "title-site-name",
            "https://egora-like.example/actus/prefix",
            "2025-06-02",
            "Les généralistes et l’ACI",
            head=[
                meta("og:site_name", "Egora"),
                meta("article:published_time", "2025-06-02T08:00:00+02:00"),
            ],
            title_tag="Egora - Les généralistes et l’ACI",
            h1="",
        )
    )
    add(
        Page(
            "title-footer-widget-0",
            "title-site-name",
            "https://assos-sante.example/page-sans-h1",
            "2025-09-18",
            "Appel à projets santé communautaire",
            head=[
                meta("og:title", "Appel à projets santé communautaire | Assos Santé"),
                meta("og:site_name", "Assos Santé"),
                meta("article:published_time", "2025-09-18T11:00:00+02:00"),
            ],
            title_tag="Appel à projets santé communautaire | Assos Santé",
            h1="",
            after='<aside class="widget"><h1>Restez informés</h1><p>Inscrivez-vous.</p></aside>',
        )
    )

    # -- 7. an article followed by cards of related posts ----------------------------------------------
    for i in range(5):
        cards = "".join(
            f'<article class="card"><h3><a href="/autre-{k}">Autre actualité {k}</a></h3>'
            f'<time datetime="2026-01-0{k + 1}">0{k + 1}/01/2026</time></article>'
            for k in range(3)
        )
        add(
            Page(
                f"cards-in-article-{i}",
                "cards-in-article",
                f"https://assos-sante.example/cards-{i}",
                f"2025-11-2{i}",
                f"Le réseau des centres s’agrandit ({i + 1})",
                header=f'<p class="date">Publié le 2{i} novembre 2025</p>',
                after=f'<section class="more-posts"><h2>À lire aussi</h2>{cards}</section>'
                if i % 2
                else f"<div>{cards}</div>",
            )
        )

    # -- 8. short press releases: a title, two sentences, a link to the PDF -------------------------
    for i in range(5):
        add(
            Page(
                f"short-release-{i}",
                "short-press-release",
                f"https://federation.example/communique-{i}",
                f"2026-01-1{i}",
                f"Communiqué : la fédération demande un moratoire ({i + 1})",
                head=[
                    meta("og:type", "article") if i % 2 else "",
                    meta("article:published_time", f"2026-01-1{i}T09:00:00+01:00"),
                ],
                body=(
                    "<p>La fédération demande un moratoire sur la fin de l’expérimentation. "
                    "Le communiqué complet est disponible ci-dessous.</p>"
                    f'<p><a href="/sites/default/files/communique-{i}.pdf">Télécharger le '
                    "communiqué (PDF)</a></p>"
                ),
            )
        )

    # -- 9. French association and press pages (seeds, SITES.md) -------------------------------------
    fncs_dates = [
        ("Lundi 10 avril 2017", "2017-04-10"),
        ("Vendredi 13 février 2026", "2026-02-13"),
        ("Mardi 1er avril 2025", "2025-04-01"),
        ("Jeudi 5 février 2026", "2026-02-05"),
    ]
    for i, (last, day) in enumerate(fncs_dates):
        add(
            Page(
                f"fncs-{i}",
                "french-association",
                f"https://www.fncs.example/communique-fncs-{i}",
                day,
                f"Un signal politique pour les soins primaires ({i + 1})",
                title_tag=f"Un signal politique pour les soins primaires ({i + 1}) | "
                "Fédération Nationale des Centres de Santé",
                header='<div class="field--name-field-label">Communiqué de presse</div>',
                body=paragraphs(3) + f"<p>{last}</p>",
                after=related(["2026-02-20T10:00:00+01:00"]),
            )
        )
    avec = [
        ("2025-03-21T18:00:00+01:00", "21 mars 2025", "2025-03-21"),
        ("2026-02-10T09:12:00+01:00", "10 février 2026", "2026-02-10"),
        ("2025-09-01T07:30:00+02:00", "1 sept. 2025", "2025-09-01"),
        ("2026-02-03T23:30:00Z", "4 févr. 2026", "2026-02-04"),
    ]
    for i, (iso, shown, day) in enumerate(avec):
        add(
            Page(
                f"avecsante-{i}",
                "french-association",
                f"https://www.avecsante.example/{day[:4]}/{day[5:7]}/{day[8:]}/rencontres-{i}/",
                day,
                f"Rencontres AVECsanté : l’avenir des MSP ({i + 1})",
                title_tag=f"Rencontres AVECsanté : l’avenir des MSP ({i + 1}) - AVECsanté",
                head=[meta("og:site_name", "AVECsanté")],
                jsonld={
                    "@context": "https://schema.org",
                    "@graph": [
                        {"@type": "WebSite", "name": "AVECsanté"},
                        {
                            "@type": "Article",
                            "headline": f"Rencontres AVECsanté : l’avenir des MSP ({i + 1})",
                            "datePublished": iso,
                        },
                    ],
                },
                header=f'<span class="posted-on"><time datetime="{iso}">{shown}</time></span>',
                body=paragraphs(3) + '<p><a href="/wp-content/uploads/cp.pdf">Télécharger le '
                "communiqué</a></p>",
            )
        )
    press = [
        ("Publié le 03/02/2026", "Mis à jour le 05/02/2026", "2026-02-03"),
        ("Publié le 17 février 2026 à 10h30", "Mis à jour le 18 février 2026", "2026-02-17"),
        ("Publié le Samedi 28 février 2026 à 17h00", "", "2026-02-28"),
        ("Publié le 3 févr. 2026", "Modifié le 4 févr. 2026", "2026-02-03"),
        ("Mis à jour le 12/01/2026 — Publié le 09/01/2026", "", "2026-01-09"),
        ("Publié le 1er avril 2025", "", "2025-04-01"),
    ]
    for i, (byline, updated, day) in enumerate(press):
        add(
            Page(
                f"press-fr-{i}",
                "french-press",
                f"https://www.quotidien-sante.example/actus/secpa-{i}",
                day,
                f"SECPA : le ministère prolonge le financement ({i + 1})",
                title_tag=f"SECPA : le ministère prolonge le financement ({i + 1}) | "
                "Le Quotidien Santé",
                head=[
                    meta("og:site_name", "Le Quotidien Santé"),
                    meta("article:modified_time", "2026-02-20T10:00:00+01:00"),
                ],
                header=f'<p class="byline">{byline}</p>'
                + (f'<p class="update">{updated}</p>' if updated else ""),
                after=related(["2026-02-25T08:00:00+01:00", "2026-02-26T08:00:00+01:00"]),
            )
        )
    return pages


def main() -> None:
    PAGES.mkdir(exist_ok=True)
    manifest = [
        "# Labelled article pages (issue 13): every page hand-built from the patterns the issue",
        "# lists (classes in expectations.toml), French ones modelled on the seeds and SITES.md.",
        "# Built by make_pages.py; served paths are the pages' URL paths.",
        "",
        "[site]",
        'description = "labelled article pages: expected publication day and title"',
        'captured = "2026-03-01"',
        'provenance = "hand-built (issue 13 patterns; SITES.md §FNCS, §AVECsanté, Dates seen)"',
        "",
    ]
    expect = [
        '# Expected publication day ("" = the page states none) and title of every labelled page.',
        "# french = French press/association page; article = must be kept as an article.",
        "",
    ]
    for p in build():
        (PAGES / f"{p.slug}.html").write_text(render(p), "utf-8")
        path = "/" + p.url.split("/", 3)[3] if p.url.count("/") >= 3 else "/"
        manifest += [
            f'[paths."/{p.slug}"]',
            f'file = "pages/{p.slug}.html"',
            'headers = { Content-Type = "text/html; charset=UTF-8" }',
            "",
        ]
        expect += [
            "[[page]]",
            f'file = "pages/{p.slug}.html"',
            f'url = "{p.url}"',
            f'class = "{p.klass}"',
            f'day = "{p.day}"',
            f"title = {json.dumps(p.title, ensure_ascii=False)}",
            f"french = {'true' if p.french else 'false'}",
            f"article = {'true' if p.article else 'false'}",
            f"# original path: {path}",
            "",
        ]
    (HERE / "MANIFEST.toml").write_text("\n".join(manifest), "utf-8")
    (HERE / "expectations.toml").write_text("\n".join(expect), "utf-8")


if __name__ == "__main__":
    main()

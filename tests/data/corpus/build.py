"""Build the corpus files from each case's `source.txt`: `page.html` and `release.txt`.

    .venv/bin/python tests/data/corpus/build.py          write every case's files
    .venv/bin/python tests/data/corpus/build.py --check  exit 1 when a file is out of date

A source is written by us, in the shapes of real releases (never their text): a header of
`key: value` lines (title, agency, shell, url, published, kind, and the plain-text habits
`bullet` and `links`), a `---` line, then blocks separated by blank lines. A block may open
with a `{tag}` or `{tag:variant}` saying what it is on the page: `{contact}`, `{label}`,
`{subtitle}`, `{h}`, `{ul}`, `{ol}`, `{img}`, `{caption}`, `{figure}`, `{note}`, `{www}`,
`{about}`, `{end}`, `{blockquote}`, `{links}`, `{social}`; untagged blocks are paragraphs.
Inline, `[text](url)` is a link, `**x**` bold and `*x*` italic. The HTML rendering wraps the
body in the agency's page shell (banner, navigation, breadcrumbs, share bar, footer: the
chrome the extractor must drop) and writes each block as that agency's CMS does; the text
rendering is the release as a plain-text bulletin shows it (captions, notes and contact
lines stay as lines; images vanish). `tests/test_corpus.py` checks the files are current.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")


def parse(text: str) -> tuple[dict[str, str], list[tuple[str, str, list[str]]]]:
    """(header, blocks): each block is (tag, variant, lines)."""
    head, _, body = text.partition("\n---\n")
    meta = dict(
        (k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in head.splitlines())
    )
    blocks: list[tuple[str, str, list[str]]] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = chunk.splitlines()
        m = re.match(r"^\{(\w+)(?::([\w-]+))?\}\s*", lines[0])
        tag, variant = ("p", "")
        if m:
            tag, variant = m.group(1), m.group(2) or ""
            lines[0] = lines[0][m.end() :]
            if not lines[0].strip():
                lines = lines[1:]
        blocks.append((tag, variant, lines))
    return meta, blocks


# ---------------------------------------------------------------- HTML


def inline(text: str) -> str:
    """Escape, then turn the inline marks into markup."""
    out = html.escape(text, quote=False)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    return out


def _img(alt: str, n: int) -> str:
    return f'<img src="/sites/default/files/images/corpus-{n}.jpg" alt="{html.escape(alt)}" />'


def block_html(tag: str, variant: str, lines: list[str], n: int) -> str:
    text = " ".join(line.strip() for line in lines)
    if tag == "p":
        return f"<p>{inline(text)}</p>"
    if tag == "contact":
        rows = "<br />".join(inline(line) for line in lines)
        if variant == "table":
            return (
                '<table class="gd_header" role="presentation"><tr><td class="gd_contact">'
                f"{rows}</td></tr></table>"
            )
        if variant == "div":
            return f'<div class="release-contact">{rows}</div>'
        return f"<p>{rows}</p>"
    if tag == "label":
        return f'<div class="field__label">{inline(text)}</div>'
    if tag == "subtitle":
        if variant == "em":
            return f"<p><em>{inline(text)}</em></p>"
        if variant == "div":
            return f'<div class="field--name-field-subtitle">{inline(text)}</div>'
        return f'<h2 class="subtitle">{inline(text)}</h2>'
    if tag == "h":
        if variant == "strong":
            return f"<p><strong>{inline(text)}</strong></p>"
        if variant == "h3":
            return f"<h3>{inline(text)}</h3>"
        return f"<h2>{inline(text)}</h2>"
    if tag in ("ul", "ol", "links"):
        items = []
        for line in lines:
            item = line.strip().removeprefix("- ")
            if tag == "links" and " | " in item:
                label, url = item.split(" | ", 1)
                item = f"[{label}]({url})"
            items.append(f"<li>{inline(item)}</li>")
        kind = "ol" if tag == "ol" else "ul"
        return f"<{kind}>" + "".join(items) + f"</{kind}>"
    if tag == "img":
        if variant == "div":
            return f'<div class="media media--image">{_img(text, n)}</div>'
        return f"<p>{_img(text, n)}</p>"
    if tag == "caption":
        if variant == "br":
            return f"<p>{_img('photo', n)}<br /><em>{inline(text)}</em></p>"
        if variant == "div":
            return f'<div class="image-caption">{inline(text)}</div>'
        if variant == "p":
            return f"<p>{inline(text)}</p>"
        if variant == "i":
            return f"<p><i>{inline(text)}</i></p>"
        return f"<p><em>{inline(text)}</em></p>"
    if tag == "figure":
        alt, _, caption = text.partition(" | ")
        return f"<figure>{_img(alt, n)}<figcaption>{inline(caption)}</figcaption></figure>"
    if tag in ("note", "about"):
        if variant == "em":
            return f"<p><em>{inline(text)}</em></p>"
        if variant == "strong":
            label, sep, rest = text.partition(":")
            return f"<p><strong>{inline(label)}{sep}</strong>{inline(rest)}</p>"
        return f"<p>{inline(text)}</p>"
    if tag == "www":
        if variant == "paras":
            return "".join(_label_line(line) for line in lines)
        rows = "<br />".join(_label_line(line)[3:-4] for line in lines)
        return f"<p>{rows}</p>"
    if tag == "end":
        return '<p class="text-align-center">###</p>'
    if tag == "blockquote":
        return f"<blockquote><p>{inline(text)}</p></blockquote>"
    if tag == "social":
        return f"<p>{inline(text)}</p>"
    if tag == "raw":
        return "\n".join(lines)
    if tag == "rawtext":
        return ""
    raise ValueError(f"unknown block tag {{{tag}}}")


def _label_line(line: str) -> str:
    label, _, rest = line.partition(":")
    return f"<p><strong>{inline(label)}:</strong>{inline(rest)}</p>"


_BANNER = (
    '<div class="usa-banner"><div class="usa-banner__header">An official website of the '
    "United States government <button>Here’s how you know</button></div></div>"
)


def _page(title: str, site: str, head: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en" dir="ltr">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0" />\n'
        f'<meta property="og:title" content="{html.escape(title)}" />\n{head}'
        f"<title>{html.escape(title)} | {site}</title>\n"
        "<script>window.dataLayer = window.dataLayer || [];</script>\n</head>\n"
        f"{body}\n</html>\n"
    )


def _nav(links: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{u}">{t}</a></li>' for t, u in links)
    return f'<nav class="usa-nav" aria-label="Primary navigation"><ul>{items}</ul></nav>'


def _share(url: str) -> str:
    return (
        '<div class="social-share">Share: '
        f'<a href="https://www.facebook.com/sharer/sharer.php?u={url}">Facebook</a> '
        f'<a href="https://x.com/intent/post?url={url}">X</a> '
        f'<a href="mailto:?subject=Release&amp;body={url}">Email</a></div>'
    )


def shell(meta: dict[str, str], body: str) -> str:
    """The whole page for one release, in its agency's shell."""
    title, url, when = html.escape(meta["title"]), meta["url"], meta["published"]
    day = when[:10]
    name = meta["shell"]
    published = f'<meta property="article:published_time" content="{when}" />\n'
    if name == "dhs":
        return _page(
            meta["title"],
            "Homeland Security",
            published,
            f"""<body class="path-node">
<a href="#main-content" class="usa-skipnav">Skip to main content</a>
{_BANNER}
<header class="usa-header usa-header--extended" role="banner"><div class="usa-logo"><a href="/">U.S. Department of Homeland Security</a></div>
{_nav([("Topics", "/topics"), ("News", "/news"), ("In Focus", "/in-focus"), ("How Do I?", "/how-do-i")])}
</header>
<main id="main-content" class="usa-layout-docs">
<nav class="usa-breadcrumb" aria-label="Breadcrumbs"><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li>Press Releases</li></ol></nav>
<article class="node node--type-news-release">
<h1 class="page-title"><span class="field field--name-title">{title}</span></h1>
<div class="news-release-date"><span class="news-release-date-label">Release Date:</span> <span class="news-release-date-value"><time datetime="{when}">{day}</time></span></div>
<div class="field field--name-body field--type-text-with-summary">
{body}
</div>
<div class="field field--name-field-topics"><div class="field__label">Topics</div><div class="field__items"><a href="/topics/border-security">Border Security</a></div></div>
<div class="field field--name-field-keywords"><div class="field__label">Keywords</div><div class="field__items"><a href="/keywords/secretary">Secretary of Homeland Security</a></div></div>
</article>
{_share(url)}
<div class="page-updated">Last Updated: {day}</div>
</main>
<footer class="usa-footer"><a href="#main-content">Return to top</a><p>U.S. Department of Homeland Security</p><a href="/privacy">Privacy Policy</a></footer>
</body>""",
        )
    if name == "cbp":
        return _page(
            meta["title"],
            "U.S. Customs and Border Protection",
            "",
            f"""<body class="page-node-type-media-release">
<a href="#main-content" class="visually-hidden focusable">Skip to main content</a>
{_BANNER}
<header role="banner" class="cbp-header"><a href="/" class="cbp-logo"><img src="/themes/cbp/logo.png" alt="U.S. Customs and Border Protection" /></a>
{_nav([("Travel", "/travel"), ("Trade", "/trade"), ("Border Security", "/border-security"), ("Newsroom", "/newsroom")])}</header>
<div class="region region-breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li><li><a href="/newsroom">Newsroom</a></li><li><a href="/newsroom/local-media-release">Local Media Releases</a></li></ol></div>
<div class="region region-content" id="main-content">
<div class="node node--type-media-release">
<h1 class="page-title">{title}</h1>
<div class="release-meta"><span class="release-date">Release Date</span> <time datetime="{when}">{day}</time></div>
<div class="node__content"><div class="field field--name-field-media-release-body">
{body}
</div></div>
<div class="field field--name-field-tags"><h3>Tags:</h3><ul><li><a href="/tags/seizures">Seizures</a></li></ul></div>
</div></div>
<div class="region region-content-bottom"><div class="last-updated">Last Modified: {day}</div>{_share(url)}</div>
<footer class="cbp-footer" role="contentinfo"><p><a href="#main-content">Return to top</a></p><p>1300 Pennsylvania Avenue, NW, Washington, DC 20229</p></footer>
</body>""",
        )
    if name == "ice":
        return _page(
            meta["title"],
            "ICE",
            published,
            f"""<body class="page-node-type-news-release">
{_BANNER}
<header class="ice-header">{_nav([("About ICE", "/about-ice"), ("Newsroom", "/newsroom"), ("Most Wanted", "/most-wanted")])}</header>
<main role="main" id="main-content">
<div class="news-release node">
<h1 class="page-title">{title}</h1>
<div class="nr-date">{day}</div>
<div class="nr-location">{html.escape(meta.get("place", "Washington, DC, United States"))}</div>
<div class="nr-body">
{body}
</div>
<div class="field field--name-body"><p>U.S. Immigration and Customs Enforcement’s mission is to protect America through criminal investigations and enforcing immigration laws to preserve national security and public safety. ICE employs more than 20,000 people in more than 400 offices in the United States and around the world, and the agency keeps its officers and special agents deployed wherever its work requires them to be.</p></div>
<div class="field field--name-field-topics"><div class="field__label">Topics:</div><a href="/topics/ero">Enforcement and Removal Operations</a></div>
</div>
{_share(url)}
</main>
<footer class="usa-footer"><p>ICE.gov is an official website of the U.S. Department of Homeland Security.</p></footer>
</body>""",
        )
    if name in ("uscis", "tsa", "cisa"):
        site = {
            "uscis": "USCIS",
            "tsa": "Transportation Security Administration",
            "cisa": "CISA",
        }[name]
        return _page(
            meta["title"],
            site,
            published,
            f"""<body class="path-node node--type-news">
<a class="usa-skipnav" href="#main-content">Skip to main content</a>
{_BANNER}
<header class="usa-header" role="banner"><div class="usa-logo"><a href="/">{site}</a></div>
{_nav([("Topics", "/topics"), ("News &amp; Events", "/news-events"), ("About", "/about")])}</header>
<div class="grid-container">
<nav class="usa-breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/newsroom">Newsroom</a></li></ol></nav>
<main id="main-content" role="main">
<article class="l-full__main">
<div class="c-page-title"><h1 class="c-page-title__title">{title}</h1><div class="c-page-title__meta">Release Date: <time datetime="{when}">{day}</time></div></div>
<div class="field field--name-body field--type-text-with-summary field--label-hidden">
{body}
</div>
<div class="c-field c-field--name-field-related-topics"><div class="c-field__label">Related Topics:</div><div class="c-field__content"><a href="/topics/x">News</a></div></div>
</article>
<aside class="sidebar"><h2>Related News</h2><ul><li><a href="/newsroom/other">Another release</a></li></ul></aside>
</main>
<div class="usa-identifier">Last Reviewed/Updated: {day}</div>
</div>
<footer class="usa-footer"><a href="#main-content">Return to top</a></footer>
</body>""",
        )
    if name == "fema":
        return _page(
            meta["title"],
            "FEMA.gov",
            published,
            f"""<body class="path-node page-node-type-press-release">
{_BANNER}
<header class="usa-header">{_nav([("Disasters", "/disaster"), ("Grants", "/grants"), ("Press Releases", "/about/news-multimedia/press-releases")])}</header>
<main id="main-content">
<div class="region region-content">
<h1 class="page-title"><span class="field field--name-title">{title}</span></h1>
<div class="press-release-meta">Release Date: <time class="datetime" datetime="{when}">{day}</time></div>
<div class="field field--name-body">
{body}
</div>
<div class="field field--name-field-disaster"><div class="field__label">Related Disaster</div><a href="/disaster/4899">4899</a></div>
</div>
{_share(url)}
<p class="page-updated">Page Last Updated: {day}</p>
</main>
<footer class="usa-footer"><p>FEMA.gov: An official website of the U.S. Department of Homeland Security</p></footer>
</body>""",
        )
    if name == "uscg":
        return _page(
            meta["title"],
            "United States Coast Guard News",
            published,
            f"""<body class="news-release">
{_BANNER}
<div class="site-header">{_nav([("News", "/News/"), ("Press Releases", "/Press-Releases/"), ("Multimedia", "/Multimedia/")])}</div>
<div id="main-content" class="content-wrapper">
<article class="release">
<div class="release-header"><p class="release-kind">PRESS RELEASE | <time datetime="{when}">{day}</time></p>
<h1>{title}</h1></div>
<div class="release-body body-content">
{body}
</div>
<div class="release-tags"><span class="tags-label">Tags:</span> <a href="/tags/sar">Search and Rescue</a></div>
</article>
</div>
<footer><p>This page is maintained by the U.S. Coast Guard Office of Public Affairs.</p></footer>
</body>""",
        )
    if name == "usss":
        return _page(
            meta["title"],
            "United States Secret Service",
            "",
            f"""<body class="path-node node--type-press-release">
{_BANNER}
<header class="usss-header">{_nav([("Protection", "/protection"), ("Investigation", "/investigation"), ("Newsroom", "/newsroom")])}</header>
<main id="main-content" role="main">
<div class="block block-layout-builder block-field-blocknodepress-releasetitle"><h1>{title}</h1></div>
<div class="usss-news-blk-date"><p class="usss-news-date-m">{when[5:7]}</p><p class="usss-news-date-d">{when[8:10]}</p><p class="usss-news-date-y">{when[:4]}</p></div>
<div class="block block-layout-builder block-field-blocknodepress-releasebody">
{body}
</div>
{_share(url)}
</main>
<footer class="usa-footer"><p>U.S. Secret Service, 245 Murray Lane, SW, Washington, DC 20223</p></footer>
</body>""",
        )
    if name == "govdelivery":
        return _page(
            meta["title"],
            "GovDelivery bulletin",
            "",
            f"""<body>
<table class="gd_combo_table" role="presentation" width="100%"><tr><td>
<table class="gd_banner" role="presentation"><tr><td><img src="https://content.govdelivery.com/attachments/banner.png" alt="{html.escape(meta["agency_name"])}" /></td></tr></table>
<table class="gd_body" role="presentation"><tr><td class="gd_content">
<h1>{title}</h1>
{body}
</td></tr></table>
<table class="gd_footer" role="presentation"><tr><td><p>You are subscribed to updates from {html.escape(meta["agency_name"])}. <a href="https://public.govdelivery.com/accounts/USDHS/subscriber/edit">Manage Subscriptions</a> | <a href="https://public.govdelivery.com/accounts/USDHS/subscriber/one_click_unsubscribe">Unsubscribe All</a></p><p>This email was sent using GovDelivery Communications Cloud on behalf of the agency.</p></td></tr></table>
</td></tr></table>
</body>""",
        )
    raise ValueError(f"unknown shell {name!r}")


# ---------------------------------------------------------------- text


def text_inline(text: str, style: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    if style == "angle":
        return _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2)}>", text)
    if style == "paren":
        return _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    return text  # markdown: kept as [text](url)


def block_text(tag: str, variant: str, lines: list[str], meta: dict[str, str]) -> str | None:
    style = meta.get("links", "markdown")
    bullet = meta.get("bullet", "-")
    if tag in ("img", "raw"):
        return None
    if tag in ("contact", "www"):
        return "\n".join(text_inline(line.strip(), style) for line in lines)
    if tag in ("ul", "ol", "links"):
        out = []
        for i, line in enumerate(lines, 1):
            item = line.strip().removeprefix("- ")
            if tag == "links" and " | " in item:
                label, url = item.split(" | ", 1)
                item = f"[{label}]({url})"
            mark = f"{i}." if tag == "ol" else bullet
            out.append(f"{mark} {text_inline(item, style)}")
        return "\n".join(out)
    if tag == "figure":
        return text_inline(" ".join(lines).partition(" | ")[2], style)
    if tag == "end":
        return "###"
    if tag == "h" and variant == "md":
        return "## " + text_inline(" ".join(lines), style)
    return text_inline(" ".join(line.strip() for line in lines), style)


def build(case: Path) -> dict[str, str]:
    """The files a case's source makes: name -> content."""
    meta, blocks = parse((case / "source.txt").read_text("utf-8"))
    body = "\n".join(block_html(tag, v, lines, n) for n, (tag, v, lines) in enumerate(blocks))
    texts = [block_text(tag, v, lines, meta) for tag, v, lines in blocks]
    release = meta["title"] + "\n\n" + "\n\n".join(t for t in texts if t) + "\n"
    info = {
        k: meta[k] for k in ("agency", "shell", "url", "published", "kind", "body") if k in meta
    }
    return {
        "page.html": shell(meta, body),
        "release.txt": release,
        "meta.json": json.dumps(info, indent=2) + "\n",
    }


def cases() -> list[Path]:
    return sorted(p for p in HERE.iterdir() if (p / "source.txt").is_file())


def main(argv: list[str]) -> int:
    stale = []
    for case in cases():
        for name, content in build(case).items():
            path = case / name
            if "--check" in argv:
                if not path.is_file() or path.read_text("utf-8") != content:
                    stale.append(str(path.relative_to(HERE)))
            else:
                path.write_text(content, "utf-8")
    if stale:
        print("out of date (run tests/data/corpus/build.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

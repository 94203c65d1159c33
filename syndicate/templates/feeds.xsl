<?xml version="1.0" encoding="UTF-8"?>
{#
  Shows an Atom or RSS document as a page when a person opens it in a browser; feed readers
  ignore it. Written by `syndicate publish` as feeds/feed.xsl and named by every Atom and RSS
  document's <?xml-stylesheet?>. No script and no inline style: the site's own stylesheet, so
  the web side's Content-Security-Policy holds for the page too.
#}
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
<xsl:output method="html" encoding="UTF-8" doctype-system="about:legacy-compat" indent="yes"/>

<xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
<xsl:variable name="subtitle" select="atom:feed/atom:subtitle | rss/channel/description"/>
<xsl:variable name="self" select="atom:feed/atom:link[@rel='self']/@href | rss/channel/atom:link[@rel='self']/@href"/>
<xsl:variable name="format">
  <xsl:choose>
    <xsl:when test="atom:feed">Atom</xsl:when>
    <xsl:otherwise>RSS 2.0</xsl:otherwise>
  </xsl:choose>
</xsl:variable>

<xsl:template match="/">
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title><xsl:value-of select="$title"/> (<xsl:value-of select="$format"/> feed)</title>
<link rel="stylesheet" href="{{ links.root }}/static/style.css"/>
</head>
<body>
<header class="masthead">
<p class="site"><a href="{{ links.home() }}">{{ service }}</a></p>
</header>
<main>
<h1><xsl:value-of select="$title"/></h1>
<p class="lede"><xsl:value-of select="$subtitle"/></p>
<section aria-labelledby="how">
<h2 id="how">How to subscribe</h2>
<p>This page is a web feed (<xsl:value-of select="$format"/>): a feed reader checks it for new
briefs so you do not have to. To follow it, copy this address into your reader
(NetNewsWire, Feedly, Inoreader, Thunderbird, Miniflux and many others accept it):</p>
<p><code><xsl:value-of select="$self"/></code></p>
<p>Prefer email? <a href="{{ links.home() }}#subscribe">Subscribe to a digest</a>.
Every feed is listed on <a href="{{ links.index() }}">the feeds page</a>.</p>
</section>
<section aria-labelledby="entries">
<h2 id="entries">Latest entries</h2>
<xsl:choose>
<xsl:when test="atom:feed/atom:entry | rss/channel/item">
<ul class="briefs">
<xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
</ul>
</xsl:when>
<xsl:otherwise><p>No briefs in this feed yet.</p></xsl:otherwise>
</xsl:choose>
</section>
</main>
</body>
</html>
</xsl:template>

<xsl:template match="atom:entry">
<li>
<h3><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
<p class="meta">Published <xsl:value-of select="substring(atom:published, 1, 10)"/></p>
<p><xsl:value-of select="atom:summary"/></p>
</li>
</xsl:template>

<xsl:template match="item">
<li>
<h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
<p class="meta">Published <xsl:value-of select="pubDate"/></p>
{# The description is the standfirst, escaped once by us (RSS readers read it as HTML). #}
<p><xsl:value-of select="description" disable-output-escaping="yes"/></p>
</li>
</xsl:template>
</xsl:stylesheet>

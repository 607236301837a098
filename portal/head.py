"""What a page's <head> tells search engines and link previews: its canonical address, the same
page in every interface language (hreflang, with x-default), a description, Open Graph tags, and
search titles that say what was searched and how much was found.

One address per page and language: only the parameters the page reads, in one order, empty ones
and page 1 left out, so that every spelling of a search counts as one page.
"""
from __future__ import annotations

from babel.core import get_global
from flask import Flask, current_app, g, request, url_for
from flask_babel import get_translations, gettext, ngettext

from . import i18n, search_service
from .markup import course, plain, script_json

SEARCH_PAGES = ("pages.search", "pages.provider")  # the pages that read search parameters
DESCRIPTION = 160  # characters a search engine shows of a description
# Open Graph locales where CLDR's likeliest territory is outside the EU
OG_TERRITORIES = {"en": "en_IE", "pt": "pt_PT"}


def page_params(endpoint: str | None = None) -> dict[str, list[str]]:
    """The current request's search parameters in their canonical form."""
    if (endpoint or request.endpoint) not in SEARCH_PAGES:
        return {}
    params = {}
    for name in search_service.PARAMETERS:
        values = [v for v in request.args.getlist(name) if v.strip()]
        if name == "page" and values == ["1"]:
            continue
        if values:
            params[name] = values
    return params


def page_url(code: str, external: bool = True) -> str:
    """This page in language ``code``, in its canonical form."""
    endpoint = request.endpoint or "pages.search"
    values = {k: v for k, v in (request.view_args or {}).items() if k != "lang"}
    return url_for(endpoint, lang=code, _external=external, **values, **page_params(endpoint))


def default_url() -> str:
    """x-default: the search answers at the root in the reader's negotiated language; any other
    page is given in the portal's default language."""
    if (request.endpoint or "pages.search") == "pages.search":
        return url_for("home", _external=True, **page_params("pages.search"))
    return page_url(current_app.config["BABEL_DEFAULT_LOCALE"])


def alternate_urls() -> list[tuple[str, str]]:
    """(hreflang, address) of this page in every interface language, then x-default."""
    return [(code, page_url(code)) for code in current_app.config["LANGUAGES"]] + \
        [("x-default", default_url())]


def canonical_url() -> str | None:
    """None on an error page: an error has no address of its own to index."""
    return None if g.get("error") else page_url(i18n.locale_code())


def og_locale(code: str) -> str:
    """'de' -> 'de_DE': Open Graph wants a language and a territory."""
    if code in OG_TERRITORIES:
        return OG_TERRITORIES[code]
    parts = get_global("likely_subtags").get(code, code).split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else code


def summary(text: str, limit: int = DESCRIPTION) -> str:
    """Plain text cut at a word before ``limit`` characters, with an ellipsis when cut."""
    text = plain(text)
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(",;:.–- ") + "…"


def describe_offer(o) -> str:
    """The provider's description, else its learning outcomes, else title and provider."""
    if o.description:
        return summary(i18n.pick(o.description))
    outcomes = o.learning_outcomes.get(i18n.pick(o.learning_outcomes).lang) \
        if o.learning_outcomes else None
    if outcomes:
        return summary("; ".join(outcomes))
    return summary(f"{i18n.pick(o.title)} – {gettext('Offered by')} {i18n.pick(o.provider.name)}")


def describe_provider(p, total: int) -> str:
    return summary(ngettext(
        "%(name)s: %(count)s offer, with the provider's quality assurance and recognition "
        "policy.",
        "%(name)s: %(count)s offers, with the provider's quality assurance and recognition "
        "policy.", total, name=i18n.pick(p.name),
        count=i18n.number(total)))


def searched_words(args) -> str:
    return " ".join((args.get("q") or "").split())[:search_service.MAX_TEXT]


def search_title(page, args) -> str:
    """'12 results for welding', with the page number from page 2 on."""
    words, total = searched_words(args), page.result.total
    if words:
        title = ngettext("%(count)s result for %(text)s", "%(count)s results for %(text)s",
                         total, count=i18n.number(total), text=words)
    elif any(v.strip() for name in search_service.PARAMETERS if name != "page"
             for v in args.getlist(name)):
        # the results heading's message (search.html), with the number in the reader's form
        title = get_translations().ungettext("%(num)s offer found", "%(num)s offers found",
                                             total) % {"num": i18n.number(total)}
    else:
        return gettext("Find a course")
    if page.query.page > 1:
        title += " – " + gettext("Page %(page)d of %(pages)d", page=page.query.page,
                                 pages=page.pages)
    return title


def describe_search(page, args) -> str:
    words, total = searched_words(args), page.result.total
    if not words:
        return gettext("Short courses and micro-credentials across Europe")
    return summary(ngettext(
        "%(count)s offer for %(text)s, with level, credits, cost and start dates.",
        "%(count)s offers for %(text)s, with level, credits, cost and start dates.", total,
        count=i18n.number(total), text=words))


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        canonical_url=canonical_url, alternate_urls=alternate_urls, og_locale=og_locale,
        describe_offer=describe_offer, describe_provider=describe_provider,
        search_title=search_title, describe_search=describe_search,
        course_json_ld=lambda o: script_json(course(o)))

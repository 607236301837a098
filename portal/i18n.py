"""Locale choice and the formatting helpers templates use (CLDR through Babel)."""
from __future__ import annotations

import datetime as dt

from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import Babel, format_currency, format_date, format_decimal, get_locale
from markupsafe import Markup

from catalogue import vocabularies as vocab


def select_locale() -> str:
    """The URL's language (/de/...), else ?lang= (the API), else the browser's preference.
    The path is read too when no page matched it, so /de/no-such-page is a German 404."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (g.get("lang"), request.path.split("/", 2)[1], request.args.get("lang")):
        if candidate in languages:
            return candidate
    return preferred(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def preferred(languages: list[str]) -> str | None:
    """The browser's most wanted language we speak, by RFC 4647 lookup: "fr-CH, de;q=0.8" is
    French (fr-CH falls back to fr before German is considered)."""
    for tag, quality in request.accept_languages:  # highest quality first
        if quality <= 0:
            continue
        tag = tag.lower().replace("_", "-")
        for candidate in (tag, tag.split("-")[0]):
            if candidate in languages:
                return candidate
    return None


def available_languages(folder: str) -> list[str]:
    """English and every language with a catalogue in translations/."""
    found = {p.parent.parent.name for p in Path(folder).glob("*/LC_MESSAGES/messages.po")}
    return ["en", *sorted(found - {"en"})]


def native_name(code: str) -> str:
    """A language's name in itself, for the language switcher."""
    return _native(code)


@cache
def _native(code: str) -> str:
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def text_direction(code: str) -> str:
    return "rtl" if Locale.parse(code).text_direction == "rtl" else "ltr"


def locale_code() -> str:
    return str(get_locale() or "en")


def lang_attr(lang: str | None) -> Markup:
    """' lang="xx"' for text in another language than the page's (none for the page's own)."""
    if not lang or lang.split("-")[0] == locale_code():
        return Markup("")
    return Markup(' lang="%s"') % lang


def country(code: str | None) -> str:
    return vocab.country_name(code, locale_code()) if code else ""


def language(code: str | None) -> str:
    return vocab.language_name(code, locale_code()) if code else ""


def number(value: float | None) -> str:
    return "" if value is None else format_decimal(value, format="#,##0.#")


def money(amount: float | None, currency: str | None) -> str:
    if amount is None:
        return ""
    return format_currency(amount, currency or "EUR")


def date(text: str | None) -> str:
    """An ISO date in the reader's form; anything else as it is (a page never fails on it)."""
    try:
        return format_date(dt.date.fromisoformat(text), "medium") if text else ""
    except (TypeError, ValueError):
        return str(text)


def init_app(app: Flask) -> None:
    if app.config["LANGUAGES"] is None:
        app.config["LANGUAGES"] = available_languages(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    Babel(app, locale_selector=select_locale)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(country_name=country, language_name=language, pick=pick,
                                 esco_labels=vocab.esco_labels, native_name=native_name,
                                 text_direction=text_direction,
                                 locale_code=locale_code, lang_attr=lang_attr)
    app.jinja_env.filters.update(number=number, money=money, date=date, language_name=language,
                                 country_name=country)


class Localised(str):
    """A text picked from a {language: text} dict, remembering its language for lang="..."."""
    lang: str = ""

    def __new__(cls, text: str, lang: str):
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj

    @property
    def foreign(self) -> bool:
        return bool(self.lang) and self.lang.split("-")[0] != locale_code()


def pick(texts: dict | None, lang: str | None = None) -> Localised:
    """The text in the reader's language (``lang``, else the page's) where given, otherwise
    the first language given."""
    if not texts:
        return Localised("", "")
    lang = lang or locale_code()
    if lang in texts:
        return Localised(texts[lang], lang)
    first = next(iter(texts))
    return Localised(texts[first], first)

"""The report's language: which ones there are, how each is declared (HTML, PDF, Word, Babel),
and the message catalogues every fixed text of a report comes from.

Russian is the catalogues' source: a msgid is the Russian text as the report prints it, the
`ru` catalogue gives it back (its header holds Russian's three plural forms, for a text that
depends on a number: `translations(language).ngettext`), the `kk` one its Kazakh text.
The catalogues (`locale/<language>/LC_MESSAGES/pipeline.po`, compiled to `.mo` beside it) are
package data: docs/translations.md says how they are extracted, updated and compiled (Babel).
"""

from __future__ import annotations

import functools
from gettext import NullTranslations

from babel.support import Translations

from pipeline import paths

#: The languages a report is written in; grant.yml's `language:` (default `ru`), `run --language`.
LANGUAGES = ("ru", "kk")
DEFAULT = "ru"
#: The catalogues' domain: locale/<language>/LC_MESSAGES/pipeline.mo.
DOMAIN = "pipeline"
#: A language as Word declares it (`w:lang`) and as Babel formats its dates.
WORD_LANG = {"ru": "ru-RU", "kk": "kk-KZ"}
BABEL_LOCALE = {"ru": "ru_RU", "kk": "kk_KZ"}
#: Whether the form's title is printed in capitals: the Russian form's «ИТОГОВЫЙ ПРОГРАММНЫЙ
#: ОТЧЕТ»; the Kazakh title as the issue quotes the operator's form, «Қорытынды бағдарламалық есеп».
TITLE_IN_CAPITALS = {"ru": True, "kk": False}


def N_(message: str) -> str:  # noqa: N802 (gettext's name for it, which pybabel extracts)
    """A text marked for the catalogue where it is written, translated where it is shown."""
    return message


#: The operator's form's own texts a grant.yml may hold as written (a period's title, the
#: currency), translated where the catalogue has them (`known`).
FORM_TEXTS = (N_("Промежуточный программный отчет"), N_("Итоговый программный отчет"), N_("тенге"))


@functools.cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language` (its compiled .mo; a language without one gives each text back)."""
    if language not in LANGUAGES:
        raise ValueError(f"{language!r}: not a report language ({', '.join(LANGUAGES)})")
    return Translations.load(str(paths.LOCALE_DIR), [language], DOMAIN)


def tr(language: str, message: str) -> str:
    """`message` (Russian, as marked) in `language` (pybabel extracts it: keyword `tr:2`)."""
    return translations(language).gettext(message)


def known(language: str, text: str) -> str:
    """A grantee's own text (a period's title, the currency) in `language` when it is one of the
    form's standard texts the catalogue has («Итоговый программный отчет», «тенге»), else as written."""
    return tr(language, text) if text else text

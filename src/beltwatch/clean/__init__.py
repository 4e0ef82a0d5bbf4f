"""The `clean` stage: Unicode repair, boilerplate removal and language detection."""

from beltwatch.clean.boilerplate import (
    BoilerplateRules,
    clean_article,
    clean_text,
    fix_unicode,
    load_rules,
    remove_boilerplate,
    site_names,
)
from beltwatch.clean.language import detect_language

__all__ = [
    "BoilerplateRules",
    "clean_article",
    "clean_text",
    "detect_language",
    "fix_unicode",
    "load_rules",
    "remove_boilerplate",
    "site_names",
]

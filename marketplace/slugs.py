from anyascii import anyascii
from django.utils.text import slugify


def pinyin_slugify(value: str, allow_unicode: bool = False) -> str:
    """Oscar's default slugifier drops Chinese entirely; transliterate to pinyin first
    ("凉山苦荞茶" -> "liangshankuqiaocha") so every product and category gets a URL."""
    return slugify(anyascii(value))

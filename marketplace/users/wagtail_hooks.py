"""The privacy policy is written in the CMS: a snippet (隐私政策) under Snippets, translated
into English with Wagtail's "Translate" action (simple_translation), like the pages."""

from wagtail.snippets.models import register_snippet

from .models import PrivacyPolicy

register_snippet(PrivacyPolicy)

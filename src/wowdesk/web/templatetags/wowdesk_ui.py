"""Template tags of the design system: ``{% icon "name" %}`` (a symbol of the vendored
Heroicons sprite, static/web/icons.svg) and ``{% avatar name %}`` (initials on a colour from
a hash of the name, web/avatar.py)."""

from __future__ import annotations

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString

from wowdesk.web import avatar as avatars

register = template.Library()

CHANNEL_ICONS = {
    "email": "envelope",
    "chat": "chat-bubble-left-right",
    "voice": "phone",
    "social": "users",
    "web": "globe-alt",
    "api": "code-bracket",
}
STATUS_ICONS = {
    "open": "inbox",
    "pending": "clock",
    "snoozed": "pause-circle",
    "resolved": "check-circle",
}


@register.simple_tag
def icon(name: str, label: str = "", css: str = "") -> SafeString:
    """An icon from the sprite; decorative (hidden from screen readers) unless ``label``."""
    href = f"{static('web/icons.svg')}#{name}"
    classes = f"icon icon-{name} {css}".strip()
    if label:
        return format_html(
            '<svg class="{}" role="img" aria-label="{}"><use href="{}"></use></svg>',
            classes,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
        classes,
        href,
    )


@register.simple_tag
def channel_icon(code: str, label: str = "") -> SafeString:
    return icon(CHANNEL_ICONS.get(code, "chat-bubble-left-right"), label)


@register.simple_tag
def status_icon(code: str, label: str = "") -> SafeString:
    return icon(STATUS_ICONS.get(code, "inbox"), label)


@register.simple_tag
def avatar(name: str, size: str = "") -> SafeString:
    """A round avatar with the name's initials (the name itself in its title)."""
    return format_html(
        '<span class="avatar hue-{}{}" title="{}" aria-hidden="true">{}</span>',
        avatars.hue(name),
        f" avatar-{size}" if size else "",
        name,
        avatars.initials(name),
    )

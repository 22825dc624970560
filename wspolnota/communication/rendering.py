"""What each channel says: a notice rendered once per language and channel, then personalised.

Rendering a template for every one of a hundred thousand recipients would dominate the fan-out,
so the e-mail body is rendered once per (notice, language) with a placeholder for the only
personal part, the unsubscribe link, which is filled in per recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wspolnota.communication.models import Notice, NoticeText

UNSUBSCRIBE_PLACEHOLDER = "__WSPOLNOTA_UNSUBSCRIBE_URL__"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = ""


def notice_text_for(notice: Notice, language: str) -> NoticeText:
    """The notice in the language asked for, or in its original language."""
    texts = {t.language: t for t in notice.texts.all()}
    return texts.get(language) or texts[notice.source_language]


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def notice_url(notice_id: int, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("communication:notice_detail", kwargs={"notice_id": notice_id}))


def unsubscribe_url(token: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("communication:unsubscribe", kwargs={"manage_token": token}))


def sms_text(notice: Notice, language: str) -> str:
    """The SMS promises "reply STOP" only when replies reach us (``SMS_TWO_WAY``: the sender is
    the gateway's two-way number and its inbound callback is set); a named sender cannot
    receive a reply, so then the text promises nothing it cannot keep."""
    from wspolnota.communication.conf import get_config

    text = notice_text_for(notice, language)
    with translation.override(language):
        core = text.sms_text or text.title
        message = f"{core} {notice_url(notice.pk, language)}"
        if get_config().sms_two_way:
            message += " " + _("Rezygnacja: odpisz STOP")
        return message


def voice_script(notice: Notice, language: str) -> str:
    text = notice_text_for(notice, language)
    with translation.override(language):
        intro = _("Ogłoszenie. Nadawca: %(author)s.") % {"author": notice.author_label}
        body = text.easy_read or text.body
        return f"{intro} {text.title}. {body}"


def render_notice(notice: Notice, channel: str, language: str) -> Rendered:
    text = notice_text_for(notice, language)
    with translation.override(language):
        if channel == "sms":
            return Rendered(subject="", text=sms_text(notice, language))
        if channel == "voice":
            return Rendered(subject=text.title, text=voice_script(notice, language))
        context = {
            "notice": notice,
            "text": text,
            "url": notice_url(notice.pk, language),
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            "language": language,
            "city": settings.CITY_NAME,
            "help_phone": settings.HELP_PHONE,
        }
        subject = " ".join(
            render_to_string("communication/email/notice_subject.txt", context).split()
        )
        return Rendered(
            subject=subject,
            text=render_to_string("communication/email/notice.txt", context),
            html=render_to_string("communication/email/notice.html", context),
        )


def render_template_email(
    *, subject_template: str, body_template: str, context: dict[str, object], language: str
) -> Rendered:
    with translation.override(language):
        subject = " ".join(render_to_string(subject_template, context).split())
        body = render_to_string(body_template, context)
    return Rendered(subject=subject, text=body)

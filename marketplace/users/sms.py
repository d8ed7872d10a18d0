"""Text messages (短信) through a pluggable backend, chosen by settings.SMS_BACKEND.

A real provider (Aliyun SMS, Tencent Cloud SMS…) is a subclass of BaseSmsBackend whose
send() calls the provider's API; the provider's keys are its own settings. The demo and the
tests use ConsoleSmsBackend, which prints each message in the terminal and keeps it in
`ConsoleSmsBackend.outbox`; production settings default to UnavailableSmsBackend, which sends
nothing (sign-up by mobile number says so), so that codes never end up in production logs."""

import sys
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class SmsUnavailable(Exception):
    """The message could not be handed to the provider; the caller tells the user to retry."""


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str


class BaseSmsBackend:
    def send(self, *, mobile: str, text: str) -> None:
        """Hand one message to the provider, or raise SmsUnavailable."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """The demo's and tests' backend: the message is printed and kept in `outbox` (like
    Django's console and locmem e-mail backends). Never for production: it shows codes."""

    outbox: list[SmsMessage] = []

    def send(self, *, mobile: str, text: str) -> None:
        message = SmsMessage(mobile=mobile, text=text)
        type(self).outbox.append(message)
        sys.stdout.write(f"[SMS to {mobile}] {text}\n")
        sys.stdout.flush()


class UnavailableSmsBackend(BaseSmsBackend):
    """No provider configured: nothing can be sent."""

    def send(self, *, mobile: str, text: str) -> None:
        raise SmsUnavailable("SMS_BACKEND is not configured")


def sms_send(*, mobile: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(mobile=mobile, text=text)

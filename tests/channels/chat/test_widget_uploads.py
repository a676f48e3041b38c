"""A visitor's files (POST /chat/<token>/upload), the signed links to a chat's files, and
the allowed domains of the HTTP endpoints."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from wowdesk.channels.chat import services as chat
from wowdesk.channels.chat import tokens
from wowdesk.conversations import services as conversations
from wowdesk.conversations.models import Attachment, Conversation, Direction, Inbox, Message
from wowdesk.core.models import Agent, Brand, Role

pytestmark = pytest.mark.usefixtures("fresh_layer_and_cache")

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
SHOP = "https://shop.example"


def _inbox(brand: Brand) -> Inbox:
    return chat.ensure_widget(
        conversations.create_inbox(brand_id=brand.pk, name="Website chat", channel="chat")
    )


def _token(inbox: Inbox, visitor_id: str | None = None) -> str:
    return tokens.issue(tokens.Visitor(inbox.pk, visitor_id or tokens.new_visitor_id()))


def _upload(
    inbox: Inbox,
    *,
    token: str,
    name: str = "photo.png",
    content: bytes = PNG,
    client_id: str = "upload-0001",
    origin: str = SHOP,
    client: Client | None = None,
) -> tuple[int, dict[str, object]]:
    response = (client or Client()).post(
        f"/chat/{chat.widget_settings(inbox).token}/upload",
        {"token": token, "client_id": client_id, "file": SimpleUploadedFile(name, content)},
        HTTP_ORIGIN=origin,
    )
    assert response["Access-Control-Allow-Origin"] == origin
    return response.status_code, response.json()


def test_a_visitor_sends_an_image_stored_once_with_its_real_type(brand: Brand) -> None:
    inbox = _inbox(brand)
    token = _token(inbox)
    status, body = _upload(inbox, token=token, name="lamp.png")
    assert status == 201
    message = Message.objects.get(pk=body["message_id"])
    assert message.direction == Direction.IN and message.channel == "chat"
    [attachment] = message.attachments.all()
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "lamp.png",
        "image/png",
        len(PNG),
    )
    # sent again (a retry after a dropped connection): the same message, one file
    status, again = _upload(inbox, token=token, name="lamp.png")
    assert status == 201 and again["message_id"] == body["message_id"] and again["duplicate"]
    assert Attachment.objects.filter(message=message).count() == 1
    # the widget shows the file, not its name as text
    shown = chat.message_out(message)
    assert shown["body"] == "" and shown["files"][0]["image"] is True


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.exe", b"MZ\x90\x00" * 10, "Programs"),
        ("photo.png", b"MZ\x90\x00" * 10, "Programs"),
        ("run.sh", b"echo hi", "Programs"),
        ("notes.txt", b"#!/bin/sh\n", "Programs"),
        ("invoice.pdf", PNG, "does not match"),
        ("archive.zip", b"PK\x03\x04" * 10, "Only images"),
        ("page.html", b"<html><script>alert(1)</script>", "Only images"),
        ("empty.png", b"", "empty"),
    ],
)
def test_a_file_that_is_not_accepted_is_refused_with_the_reason(
    brand: Brand, name: str, content: bytes, words: str
) -> None:
    inbox = _inbox(brand)
    status, body = _upload(inbox, token=_token(inbox), name=name, content=content)
    assert status == 400
    assert body["field"] == "file" and words in str(body["detail"])
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_a_file_over_the_email_limit_is_refused(
    brand: Brand, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wowdesk.channels.chat import views

    inbox = _inbox(brand)
    monkeypatch.setattr(conversations, "MAX_ATTACHMENT_BYTES", 50)
    monkeypatch.setattr(views, "MAX_ATTACHMENT_BYTES", 50)
    status, body = _upload(inbox, token=_token(inbox), content=PNG)  # 72 bytes
    assert status == 400 and body["field"] == "file" and "25 MB" in str(body["detail"])
    assert not Message.objects.exists()


def test_no_file_or_no_visitor_is_refused(brand: Brand, other_brand: Brand) -> None:
    inbox, theirs = _inbox(brand), _inbox(other_brand)
    url = f"/chat/{chat.widget_settings(inbox).token}/upload"
    response = Client().post(url, {"token": _token(inbox), "client_id": "upload-0001"})
    assert response.status_code == 400 and response.json()["field"] == "file"
    for token in ("", "forged", _token(theirs)):  # the other brand's visitor token too
        status, body = _upload(inbox, token=token)
        assert status == 403 and body["field"] == "token"
    status, body = _upload(inbox, token=_token(inbox), client_id="x")
    assert status == 400 and body["field"] == "client_id"
    assert not Message.objects.exists()


@pytest.mark.parametrize("home", ["brand", "other_brand"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
def test_a_signed_in_agent_is_no_visitor(
    request: pytest.FixtureRequest, make_agent: Callable[..., Agent], role: str, home: str
) -> None:
    """The upload answers to the visitor token only: an agent's session, of either brand,
    uploads nothing without one, and with one only into that token's inbox."""
    mine: Brand = request.getfixturevalue(home)
    other: Brand = request.getfixturevalue("other_brand" if home == "brand" else "brand")
    inbox, theirs = _inbox(mine), _inbox(other)
    client = Client()
    client.force_login(make_agent(role, brands=[mine]).user)
    assert _upload(inbox, token="", client=client)[0] == 403
    assert _upload(theirs, token=_token(inbox), client=client)[0] == 403
    status, body = _upload(inbox, token=_token(inbox), client=client)
    assert status == 201
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    assert conversation.brand_id == mine.pk and conversation.inbox_id == inbox.pk


def test_allowed_domains_refuse_other_sites(brand: Brand) -> None:
    inbox = _inbox(brand)
    chat.configure_widget(inbox, actor=None, allowed_domains=["shop.example", "*.acme.example"])
    config = f"/chat/{chat.widget_settings(inbox).token}/config"
    for origin in (SHOP, "https://www.acme.example", "http://testserver"):
        assert Client().get(config, HTTP_ORIGIN=origin).status_code == 200, origin
    for origin in ("https://evil.example", "https://shop.example.evil.example", "null"):
        response = Client().get(config, HTTP_ORIGIN=origin)
        assert response.status_code == 403 and response.json()["field"] == "origin", origin
        status, body = _upload(inbox, token=_token(inbox), origin=origin)
        assert status == 403 and body["field"] == "origin"
    assert Client().get(config).status_code == 403  # no Origin at all
    assert not Message.objects.exists()
    assert _upload(inbox, token=_token(inbox), origin="https://www.acme.example")[0] == 201


def test_file_links_are_signed_and_serve_images_inline(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    inbox = _inbox(brand)
    status, body = _upload(inbox, token=_token(inbox))
    assert status == 201
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    reply = conversations.add_reply(conversation, author=make_agent(), body="Here you go")
    pdf = conversations.add_attachment(
        reply, filename="label.pdf", content=b"%PDF-1.4\n", content_type="application/pdf"
    )
    html = conversations.add_attachment(
        reply, filename="x.html", content=b"<script>", content_type="text/html"
    )
    files = chat.message_out(Message.objects.get(pk=reply.pk))["files"]
    assert [f["name"] for f in files] == ["label.pdf", "x.html"]
    got = Client().get(files[0]["url"])
    assert got.status_code == 200 and "attachment" in got["Content-Disposition"]
    served = Client().get(files[1]["url"])  # never rendered as a page of the desk
    assert served["Content-Type"] == "application/octet-stream"
    assert served["X-Content-Type-Options"] == "nosniff"
    image = chat.message_out(Message.objects.get(pk=body["message_id"]))["files"][0]
    shown = Client().get(image["url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    assert b"".join(shown.streaming_content) == PNG
    signed = files[0]["url"].rsplit("/", 1)[1]
    for bad in (signed[:-2] + "xx", "abc", f"{pdf.pk}", f"{html.pk}"):
        assert Client().get(f"/chat/file/{bad}").status_code == 404


def test_a_file_link_names_no_note_or_email_attachment(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    from django.core import signing

    inbox = _inbox(brand)
    status, body = _upload(inbox, token=_token(inbox))
    assert status == 201
    conversation = Conversation.objects.get(pk=body["conversation_id"])
    note = conversations.add_reply(conversation, author=make_agent(), body="x", private=True)
    secret = conversations.add_attachment(note, filename="n.png", content=PNG)
    link = signing.dumps({"a": secret.pk, "b": brand.pk}, salt=chat.FILE_SALT)
    assert Client().get(f"/chat/file/{link}").status_code == 404


def test_uploads_count_against_the_chat_rate(brand: Brand, settings: Any) -> None:
    settings.CONFIG = dataclasses.replace(settings.CONFIG, chat_rate=2)
    inbox = _inbox(brand)
    token = _token(inbox)
    for i in range(2):
        assert _upload(inbox, token=token, client_id=f"upload-000{i}")[0] == 201
    response = Client().post(
        f"/chat/{chat.widget_settings(inbox).token}/upload",
        {"token": token, "client_id": "upload-0009", "file": SimpleUploadedFile("a.png", PNG)},
        HTTP_ORIGIN=SHOP,
    )
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert Message.objects.count() == 2

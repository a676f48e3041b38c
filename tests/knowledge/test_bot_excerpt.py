"""The answer bot's excerpt of an article: plain text a customer can read in a chat, an email
or a social message (no Markdown marks)."""

from __future__ import annotations

import pytest

from wowdesk.knowledge.bot_texts import plain_excerpt

CANCEL_ES = (
    "Puedes cancelar un pedido mientras no haya salido de nuestro almacén.\n\n"
    "1. Inicia sesión en tu cuenta de Acme Home en acme.demo.\n"
    "2. Abre **Historial de pedidos** y elige el pedido.\n"
    "3. Pulsa **Cancelar pedido** y confirma."
)


def test_bold_marks_go_and_each_step_keeps_its_line_and_number() -> None:
    assert plain_excerpt(CANCEL_ES, 1000) == (
        "Puedes cancelar un pedido mientras no haya salido de nuestro almacén.\n"
        "1. Inicia sesión en tu cuenta de Acme Home en acme.demo.\n"
        "2. Abre Historial de pedidos y elige el pedido.\n"
        "3. Pulsa Cancelar pedido y confirma."
    )


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("## Before you start", "Before you start"),
        ("> **Note:** keep the box", "Note: keep the box"),
        ("- Print the *label*\n- Drop it off", "• Print the label\n• Drop it off"),
        ("* one\n+ two", "• one\n• two"),
        ("Press `Forgot password?` on the page", "Press Forgot password? on the page"),
        ("See [our returns page](https://acme.demo/returns).", "See our returns page."),
        ("![shot](/knowledge/files/3/shot.png)\nOpen __Settings__.", "Open Settings."),
        ("Use order_id_field and snake_case", "Use order_id_field and snake_case"),
        ("2. 打开*订单记录*，选择订单。", "2. 打开订单记录，选择订单。"),
        ("3. Drücken Sie **Bestellung stornieren**.", "3. Drücken Sie Bestellung stornieren."),
        ("**取消订单**：登录后打开订单。", "取消订单：登录后打开订单。"),
        ("***Both***", "Both"),
    ],
)
def test_markdown_marks_of_every_kind_are_removed(markdown: str, plain: str) -> None:
    assert plain_excerpt(markdown, 1000) == plain


def test_a_long_body_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = plain_excerpt(CANCEL_ES, 80)
    assert text.endswith("…") and len(text) <= 81
    assert text.startswith("Puedes cancelar") and "**" not in text
    assert text[:-1] == text[:-1].rstrip() and not text[:-1].endswith("sesi")

"""The design system's colours keep WCAG AA contrast in the light and the dark theme
(static/web/wowdesk.css tokens, checked with web/contrast.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import wowdesk
from wowdesk.web import avatar
from wowdesk.web.contrast import contrast_ratio, hsl_to_rgb, luminance, parse_hex, tokens

CSS = (Path(wowdesk.__file__).parent / "web/static/web/wowdesk.css").read_text(encoding="utf-8")
TOKENS = tokens(CSS)
AA = 4.5
NON_TEXT = 3.0  # focus rings, borders of controls (WCAG 1.4.11)

colours = st.tuples(*[st.integers(0, 255)] * 3)

# (text, background) as the stylesheet uses them
TEXT_PAIRS = [
    *[
        ("--fg", bg)
        for bg in (
            "--bg",
            "--surface",
            "--surface-2",
            "--selected",
            "--hover",
            "--note-bg",
            "--out-bg",
        )
    ],
    *[
        ("--muted", bg)
        for bg in ("--bg", "--surface", "--surface-2", "--hover", "--note-bg", "--out-bg")
    ],
    *[("--accent", bg) for bg in ("--bg", "--surface", "--surface-2", "--hover", "--out-bg")],
    ("--accent-fg", "--accent"),
    *[
        (c, bg)
        for c in ("--danger", "--ok", "--warn")
        for bg in ("--bg", "--surface", "--surface-2")
    ],
    *[(f"--{k}-fg", f"--{k}-bg") for k in ("info", "warn", "danger", "ok", "violet", "neutral")],
    ("--info-fg", "--selected"),
]


@given(colours, colours)
def test_the_ratio_is_symmetric_and_between_1_and_21(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    ratio = contrast_ratio(a, b)
    assert 1.0 <= ratio <= 21.0 + 1e-9
    assert ratio == pytest.approx(contrast_ratio(b, a))


@given(colours)
def test_a_colour_on_itself_is_1_and_black_or_white_reaches_at_least_4_5(
    c: tuple[int, int, int],
) -> None:
    assert contrast_ratio(c, c) == pytest.approx(1.0)
    # the better of black and white text always reaches 4.5 on any background
    assert max(contrast_ratio(c, (0, 0, 0)), contrast_ratio(c, (255, 255, 255))) >= 4.5


@given(colours, colours)
def test_a_lighter_colour_has_more_contrast_with_black(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    if luminance(a) > luminance(b):
        assert contrast_ratio(a, (0, 0, 0)) > contrast_ratio(b, (0, 0, 0))


def test_known_ratios() -> None:
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio(parse_hex("#777"), parse_hex("#fff")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(parse_hex("#1d4ed8"), parse_hex("#ffffff")) == pytest.approx(
        6.7, abs=0.05
    )
    assert hsl_to_rgb(0, 1, 0.5) == (255, 0, 0)
    assert hsl_to_rgb(120, 1, 0.25) == (0, 128, 0)
    assert hsl_to_rgb(210, 0, 1) == (255, 255, 255)


@pytest.mark.parametrize("text", ["", "#12", "red", "#gggggg", "#1234567", "1d4ed8"])
def test_a_broken_colour_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hex(text)


def test_the_shared_variables_are_defined() -> None:
    for name in ("--bg", "--fg", "--muted", "--border", "--accent", "--danger", "--ok", "--warn"):
        assert name in TOKENS
    for name in ("--radius", "--space", "--text-md", "--space-4"):
        assert f"{name}:" in CSS


@pytest.mark.parametrize("theme", [0, 1], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_colours_reach_aa_in_both_themes(theme: int, text: str, background: str) -> None:
    ratio = contrast_ratio(TOKENS[text][theme], TOKENS[background][theme])
    assert ratio >= AA, f"{text} on {background}: {ratio:.2f}"


@pytest.mark.parametrize("theme", [0, 1], ids=["light", "dark"])
@pytest.mark.parametrize("background", ["--bg", "--surface", "--surface-2", "--selected"])
def test_the_focus_ring_is_visible(theme: int, background: str) -> None:
    assert contrast_ratio(TOKENS["--focus"][theme], TOKENS[background][theme]) >= NON_TEXT


@pytest.mark.parametrize("step", range(avatar.HUES))
def test_avatar_initials_are_readable_on_every_hue(step: int) -> None:
    # .avatar: white text on hsl(step * 30, 50%, 30%)
    assert f".hue-{step} {{ --h: {step * 30}; }}" in CSS
    assert "background: hsl(var(--h) 50% 30%)" in CSS
    assert contrast_ratio((255, 255, 255), hsl_to_rgb(step * 30, 0.5, 0.3)) >= AA

"""The public text the demo is made of: Bitext support dialogues and xSID requests.

Pure Python, no Django. Two ways in:

- the small samples vendored in ``wowdesk/demo/data/`` (the default; they ship with the
  package, so a fresh clone works), written by ``scripts/vendor_demo_data.py``;
- the full public sets in a data directory (``bitext/*.csv``,
  ``xsid/*.valid.conll``), when ``WOWDESK_DEMO_DATA_DIR`` points there.

Bitext: CDLA-Sharing-1.0; xSID: CC BY-SA 4.0 (see the LICENSE and README next to each
sample). The demo rows made from them are derived data under the same terms.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

VENDORED_DIR = Path(__file__).resolve().parent / "data"

BITEXT_FILE = "Bitext_Sample_Customer_Support_Training_Dataset_4514rows_commit337b968.csv"
# The languages the demo speaks besides English-from-Bitext (xSID file stems).
XSID_LANGUAGES: tuple[str, ...] = ("ar", "da", "de", "en", "id", "it", "ja", "nl", "tr", "zh")


@dataclass(frozen=True)
class SupportExchange:
    """One Bitext row: what an (English) customer wrote and a model answer."""

    instruction: str
    intent: str
    category: str
    response: str
    tags: str = ""


@dataclass(frozen=True)
class AssistantRequest:
    """One xSID sentence: the same request in many languages."""

    id: int
    intent: str
    text_en: str
    text: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoCorpus:
    exchanges: tuple[SupportExchange, ...]
    requests: tuple[AssistantRequest, ...]

    @property
    def languages(self) -> list[str]:
        """Languages every request is available in."""
        if not self.requests:
            return []
        common = set(self.requests[0].text)
        for r in self.requests[1:]:
            common &= set(r.text)
        return sorted(common)


# --- Bitext ---------------------------------------------------------------------------


def read_bitext_csv(path: Path) -> list[SupportExchange]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            SupportExchange(
                instruction=row["instruction"].strip(),
                intent=row["intent"].strip(),
                category=row["category"].strip(),
                response=row["response"].strip(),
                tags=row.get("tags", "").strip(),
            )
            for row in csv.DictReader(fh)
            if row.get("instruction", "").strip() and row.get("response", "").strip()
        ]


def usable_exchange(ex: SupportExchange, max_response: int = 1100) -> bool:
    """Rows fit for a demo: no offensive-language variants (tag W), answers of a readable
    length."""
    return "W" not in ex.tags and len(ex.response) <= max_response


_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """Replace Bitext's ``{{Customer Support Phone Number}}``-style slots.

    Known slots take ``values`` (matched case-insensitively); any other slot is a UI label
    such as ``{{Order History}}`` and is written as the label itself.
    """
    lowered = {k.lower(): v for k, v in values.items()}

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        return lowered.get(name.lower(), name)

    return _PLACEHOLDER.sub(repl, text)


# --- xSID -----------------------------------------------------------------------------


def iter_conll_headers(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """The ``# key = value`` header of each sentence block of an xSID CoNLL file."""
    block: dict[str, str] = {}
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip():
            if block:
                yield block
            block = {}
            continue
        if line.startswith("# ") and " = " in line:
            key, _sep, value = line[2:].partition(" = ")
            block.setdefault(key.strip(), value.strip())
    if block:
        yield block


_CJK = r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]"
_CJK_GAP = re.compile(rf"(?<={_CJK}) +(?={_CJK}|\d)|(?<=\d) +(?={_CJK})")
_SPACE_BEFORE_PUNCT = re.compile(r" +(?=[?.!,;:\u061f\u060c](?:\s|$))")


def detokenize(text: str) -> str:
    """xSID writes some languages token by token: Japanese with a space between tokens,
    Arabic with a space before ``؟``. People do not."""
    if re.search(_CJK, text):
        text = re.sub(r"(?<=\d) +(?=\d)", "", _CJK_GAP.sub("", text))
    return _SPACE_BEFORE_PUNCT.sub("", text).strip()


def read_xsid_conll(path: Path) -> dict[int, tuple[str, str, str]]:
    """{sentence id: (text, text-en, intent)} of one language's validation file."""
    out: dict[int, tuple[str, str, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for position, block in enumerate(iter_conll_headers(fh), start=1):
            if "text" not in block:
                continue
            # The English file has no ``# id`` lines; its blocks are in id order.
            raw_id = block.get("id", str(position))
            if not raw_id.isdigit():
                continue
            out[int(raw_id)] = (
                detokenize(block["text"]),
                block.get("text-en", ""),
                block.get("intent", ""),
            )
    return out


def parallel_requests(
    per_language: dict[str, dict[int, tuple[str, str, str]]],
) -> list[AssistantRequest]:
    """The sentences present in every language, by id."""
    if not per_language:
        return []
    ids = set.intersection(*(set(d) for d in per_language.values()))
    en = per_language.get("en", {})
    out: list[AssistantRequest] = []
    for sid in sorted(ids):
        any_lang = next(iter(per_language.values()))[sid]
        out.append(
            AssistantRequest(
                id=sid,
                intent=any_lang[2],
                text_en=en[sid][0] if sid in en else any_lang[1],
                text={lang: d[sid][0] for lang, d in sorted(per_language.items())},
            )
        )
    return out


# --- loading --------------------------------------------------------------------------


def load_vendored(directory: Path = VENDORED_DIR) -> DemoCorpus:
    bitext = json.loads((directory / "bitext" / "sample.json").read_text(encoding="utf-8"))
    xsid = json.loads((directory / "xsid" / "sample.json").read_text(encoding="utf-8"))
    return DemoCorpus(
        exchanges=tuple(SupportExchange(**row) for row in bitext["rows"]),
        requests=tuple(AssistantRequest(**row) for row in xsid["sentences"]),
    )


def load_full(shared_data: Path, languages: Iterable[str] = XSID_LANGUAGES) -> DemoCorpus:
    """The whole sets from a data directory (``bitext/``, ``xsid/``)."""
    exchanges = [
        e for e in read_bitext_csv(shared_data / "bitext" / BITEXT_FILE) if usable_exchange(e)
    ]
    per_language = {
        lang: read_xsid_conll(shared_data / "xsid" / f"{lang}.valid.conll") for lang in languages
    }
    return DemoCorpus(exchanges=tuple(exchanges), requests=tuple(parallel_requests(per_language)))


def load_corpus(full_data_dir: Path | None = None) -> DemoCorpus:
    """The full sets if a directory with them is given and present, else the samples."""
    if full_data_dir is not None and (full_data_dir / "bitext" / BITEXT_FILE).exists():
        return load_full(full_data_dir)
    return load_vendored()

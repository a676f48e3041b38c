"""Regenerate the small data samples the demo ships with, from a folder of the public data
sets (Bitext, xSID) as published, not part of the repo:

    .venv/bin/python scripts/vendor_demo_data.py --source DIR   # or $WOWDESK_DATASETS_DIR

Deterministic: the same source gives byte-identical files. Writes, under
``src/wowdesk/demo/data/``:

- ``bitext/sample.json``: 12 rows per intent (27 intents) of the Bitext customer-support
  set, without the offensive-language variants, plus its LICENSE (CDLA-Sharing-1.0) and a
  README with the attribution;
- ``xsid/sample.json``: 60 sentences present in all of ten xSID languages, plus its
  LICENSE (CC BY-SA 4.0) and a README with the attribution.

Nothing from ``callcenter/`` (GPL) is copied.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wowdesk.demo.sources import (  # noqa: E402
    BITEXT_FILE,
    XSID_LANGUAGES,
    SupportExchange,
    parallel_requests,
    read_bitext_csv,
    read_xsid_conll,
    usable_exchange,
)

OUT = ROOT / "src" / "wowdesk" / "demo" / "data"
BITEXT_PER_INTENT = 12
XSID_SENTENCES = 60
SEED = 20250101

BITEXT_README = """\
# Bitext customer-support sample

{n} rows ({per} per intent) of `{file}` from the Bitext customer-support dataset
(github.com/bitext/customer-support-llm-chatbot-training-dataset), (c) Bitext Innovations,
2023, licensed under the Community Data License Agreement - Sharing 1.0 (LICENSE.txt here).

Selected by `scripts/vendor_demo_data.py` (seed {seed}): rows tagged W (offensive language)
and answers longer than 1,100 characters were left out; the text of the rows is unchanged.
The `{{{{placeholders}}}}` are filled in by the demo when it writes conversations. Data
derived from this sample (the demo conversations) is shared under the same agreement.
"""

XSID_README = """\
# xSID sample

{n} sentences present in every one of {langs} from the xSID validation files
(github.com/mainlp/xsid; van der Goot et al., NAACL 2021, "From Masked Language Modeling
to Translation: Non-English Auxiliary Tasks Improve Zero-shot Spoken Language
Understanding", and the later papers cited in its README), licensed under Creative Commons
Attribution-ShareAlike 4.0 International (LICENSE here).

Selected by `scripts/vendor_demo_data.py` (seed {seed}). Changes: only the `# text =`,
`# text-en =` and `# intent =` headers are kept; the spaces xSID puts between Japanese
tokens and before punctuation (e.g. Arabic `؟`) are removed. This sample, and the demo
messages made from it, are shared under CC BY-SA 4.0.
"""


def dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def vendor_bitext(source: Path, out: Path) -> int:
    rows = [r for r in read_bitext_csv(source / "bitext" / BITEXT_FILE) if usable_exchange(r)]
    by_intent: dict[str, list[SupportExchange]] = defaultdict(list)
    for row in rows:
        by_intent[row.intent].append(row)
    rng = random.Random(SEED)
    chosen: list[SupportExchange] = []
    for intent in sorted(by_intent):
        pool = by_intent[intent]
        chosen.extend(rng.sample(pool, min(BITEXT_PER_INTENT, len(pool))))
    dump(out / "bitext" / "sample.json", {"rows": [asdict(r) for r in chosen]})
    shutil.copyfile(source / "bitext" / "LICENSE.txt", out / "bitext" / "LICENSE.txt")
    (out / "bitext" / "README.md").write_text(
        BITEXT_README.format(n=len(chosen), per=BITEXT_PER_INTENT, file=BITEXT_FILE, seed=SEED),
        encoding="utf-8",
    )
    return len(chosen)


def vendor_xsid(source: Path, out: Path) -> int:
    per_language = {
        lang: read_xsid_conll(source / "xsid" / f"{lang}.valid.conll") for lang in XSID_LANGUAGES
    }
    requests = parallel_requests(per_language)
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(requests, min(XSID_SENTENCES, len(requests))), key=lambda r: r.id)
    dump(
        out / "xsid" / "sample.json",
        {"languages": list(XSID_LANGUAGES), "sentences": [asdict(r) for r in chosen]},
    )
    shutil.copyfile(source / "xsid" / "LICENSE", out / "xsid" / "LICENSE")
    (out / "xsid" / "README.md").write_text(
        XSID_README.format(n=len(chosen), langs=", ".join(XSID_LANGUAGES), seed=SEED),
        encoding="utf-8",
    )
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        type=Path,
        default=os.environ.get("WOWDESK_DATASETS_DIR"),
        required=not os.environ.get("WOWDESK_DATASETS_DIR"),
    )
    parser.add_argument("--out", type=Path, default=OUT, help="Where to write the samples.")
    args = parser.parse_args()
    n_bitext = vendor_bitext(args.source, args.out)
    n_xsid = vendor_xsid(args.source, args.out)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"bitext: {n_bitext} rows, xsid: {n_xsid} sentences; {size / 1024:.0f} KiB in {args.out}")


if __name__ == "__main__":
    main()

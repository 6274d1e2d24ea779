"""Scoring predicted records against gold, by the matching rule of ANNOTATION.md.

A predicted record matches a gold one when ``doc_id``, ``unit``, ``standard``, ``measure``,
``achieved``, ``total``, ``modality`` are equal and ``place`` is equal after lower-casing,
NFC and whitespace folding.  Matching is one-to-one.  ``counted``, ``year``, ``as_of``,
``district``, ``province`` and ``qualifier`` are scored as field accuracy over matches.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd

from helpers.text import fold

__all__ = ["FIELDS", "KEY_FIELDS", "evaluate", "load_jsonl", "match_records"]

KEY_FIELDS = ["doc_id", "unit", "standard", "measure", "achieved", "total", "modality", "place"]
FIELDS = ["counted", "year", "as_of", "district", "province", "qualifier"]


def load_jsonl(paths: list[Path | str] | Path | str) -> pd.DataFrame:
    """Records from one or more JSON-lines files (one object per line)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    rows = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        raise ValueError(f"{p}:{n}: not JSON ({exc})") from exc
    return pd.DataFrame(rows)


def _norm(v: object) -> object:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _key(r: dict) -> tuple:
    return tuple(fold(r.get("place") or "") if f == "place" else _norm(r.get(f)) for f in KEY_FIELDS)


def _field_equal(f: str, a: object, b: object) -> bool:
    a, b = _norm(a), _norm(b)
    if f in ("district", "province"):
        return fold(str(a or "")) == fold(str(b or ""))
    if f == "year" and a is not None and b is not None:
        return int(a) == int(b)
    return a == b


def match_records(gold: pd.DataFrame, pred: pd.DataFrame) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """One-to-one matches (gold index, pred index), unmatched gold and unmatched predictions."""
    by_key: dict[tuple, list[int]] = defaultdict(list)
    pred_rows = pred.to_dict("records") if len(pred) else []
    for j, r in enumerate(pred_rows):
        by_key[_key(r)].append(j)
    matches, missed = [], []
    for i, r in enumerate(gold.to_dict("records")):
        cands = by_key.get(_key(r))
        if cands:
            matches.append((i, cands.pop(0)))
        else:
            missed.append(i)
    used = {j for _, j in matches}
    extra = [j for j in range(len(pred_rows)) if j not in used]
    return matches, missed, extra


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = tp / n_gold if n_gold else (1.0 if n_pred == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"gold": n_gold, "pred": n_pred, "tp": tp, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate(gold: pd.DataFrame, pred: pd.DataFrame, restrict_to_gold_docs: bool = True) -> dict:
    """Scores: ``table`` (per measure + overall P/R/F1), ``fields`` (accuracy over matches),
    ``false_negatives`` and ``false_positives`` (DataFrames).

    With ``restrict_to_gold_docs`` predictions for documents absent from gold are ignored.
    """
    gold = gold.reset_index(drop=True)
    pred = pred.reset_index(drop=True)
    if restrict_to_gold_docs and len(pred):
        pred = pred[pred["doc_id"].isin(set(gold["doc_id"]))].reset_index(drop=True)
    matches, missed, extra = match_records(gold, pred)
    rows = []
    measures = sorted(set(gold.get("measure", pd.Series(dtype=object)).dropna()) | set(pred.get("measure", pd.Series(dtype=object)).dropna()))
    matched_g = {i for i, _ in matches}
    for m in measures:
        ng = int((gold["measure"] == m).sum()) if len(gold) else 0
        npred = int((pred["measure"] == m).sum()) if len(pred) else 0
        tp = sum(1 for i in matched_g if gold.at[i, "measure"] == m)
        rows.append({"measure": m, **_prf(tp, npred, ng)})
    rows.append({"measure": "overall", **_prf(len(matches), len(pred), len(gold))})
    fields = []
    for f in FIELDS:
        if f not in gold.columns or f not in pred.columns:
            continue
        ok = sum(_field_equal(f, gold.at[i, f], pred.at[j, f]) for i, j in matches)
        fields.append({"field": f, "matched": len(matches), "correct": ok,
                       "accuracy": round(ok / len(matches), 4) if matches else None})
    return {
        "table": pd.DataFrame(rows),
        "fields": pd.DataFrame(fields),
        "false_negatives": gold.iloc[missed].copy(),
        "false_positives": pred.iloc[extra].copy(),
        "matches": matches,
    }

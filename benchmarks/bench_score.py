"""`dkdl score` on many answer sets against a bare loop doing the same work by hand.

The baseline does ``json.loads``, the same arithmetic (routing, three sums, thresholds, label
lookup) and ``json.dumps`` with no validation, explanation or warnings. Both read the same
in-memory input (ours in 256 KiB pieces, as it reads a file) and write to memory, in one
process, alternating, several rounds; the outputs are compared byte for byte every round. The
script prints the medians and the ratio ours/baseline. Goal (issue 9): ratio <= 0.5 (issue 2
asked <= 2; the typed one-pass decoder in dkdl/score_stream.py is what makes it faster).

    python benchmarks/bench_score.py [--n 200000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dkdl.questionnaire import load_questionnaire  # noqa: E402
from dkdl.score_stream import CHUNK, score_chunks  # noqa: E402
from dkdl.scoring import Scorer  # noqa: E402

ITEMS = {
    "zwachtelen": 1,
    "complexe_wonden": 1,
    "sonde": 2,
    "katheter": 1,
    "overige_katheterisatie": 1,
    "darmstoma": 1,
    "darmspoeling": 2,
    "injecties": 1,
}


def make_input(n: int, seed: int = 7) -> list[bytes]:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        a: dict[str, object] = {"id": f"s{i}", "Q1": 1 if rng.random() > 0.03 else 2}
        if a["Q1"] == 1:
            a["Q2"] = 1 if rng.random() > 0.05 else 2
            if a["Q2"] == 1:
                a["Q3"] = 1 if rng.random() > 0.05 else rng.choice([2, 3])
                if a["Q3"] == 1:
                    for q, k in (
                        ("Q4", 3),
                        ("Q5", 3),
                        ("Q6", 3),
                        ("Q7", 2),
                        ("Q8", 3),
                        ("Q9", 4),
                        ("Q10", 3),
                        ("Q11", 3),
                        ("Q12", 2),
                    ):
                        a[q] = rng.randint(1, k)
                    if a["Q12"] == 2:
                        a["Q12_items"] = rng.sample(sorted(ITEMS), rng.randint(1, 3))
        lines.append((json.dumps(a) + "\n").encode())
    return lines


W = {
    "Q4": (0, 2, 2),
    "Q5": (0, 2, 2),
    "Q6": (0, 1, 3),
    "Q7": (0, 1),
    "Q8": (0, 1, 2),
    "Q9": (0, 1, 1, 2),
    "Q10": (0, 2, 4),
    "Q11": (0, 2, 2),
}
ROUTE = {"Q1": {2: "KINDZORG"}, "Q2": {2: "PTZ"}, "Q3": {2: "TIJDELIJK", 3: "GEEN_DKDL"}}


def baseline(lines: list[bytes], labels: dict[str, str], out: io.BytesIO) -> None:
    """The bare loop: parse, add up, look up, dump. No validation at all."""
    buf = []
    for line in lines:
        a = json.loads(line)
        code = None
        for q in ("Q1", "Q2", "Q3"):
            code = ROUTE[q].get(a[q])
            if code:
                break
        if code:
            rec = {
                "id": a.get("id"),
                "profile": code,
                "label": labels[code],
                "scores": None,
                "warnings": [],
            }
        else:
            deficit = W["Q4"][a["Q4"] - 1] + W["Q5"][a["Q5"] - 1] + W["Q6"][a["Q6"] - 1]
            dl = W["Q7"][a["Q7"] - 1] + W["Q8"][a["Q8"] - 1]
            ob = W["Q9"][a["Q9"] - 1] + W["Q10"][a["Q10"] - 1] + W["Q11"][a["Q11"] - 1]
            if a["Q12"] == 2:
                ob += sum(ITEMS[i] for i in a.get("Q12_items", ()))
            dk = 7 - deficit
            base = (1 if dk > 6.5 else 7) + (3 if dl > 1.5 else 0)
            band = 0 if ob <= 3.5 else 1 if ob <= 5.5 else 2
            code = f"DKDL{base + band}"
            rec = {
                "id": a.get("id"),
                "profile": code,
                "label": labels[code],
                "scores": {"draagkracht": dk, "draaglast": dl, "ondersteuningsbehoefte": ob},
                "warnings": [],
            }
        buf.append(json.dumps(rec, ensure_ascii=False))
    out.write(("\n".join(buf) + "\n").encode("utf-8"))


def end_to_end(lines: list[bytes], rounds: int) -> None:
    """Whole processes: `python -m dkdl score FILE` against this script's baseline on FILE."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        path.write_bytes(b"".join(lines))
        ours_cmd = [sys.executable, "-m", "dkdl", "score", str(path)]
        base_cmd = [sys.executable, __file__, "--baseline-file", str(path)]
        ours_t, base_t = [], []
        for _ in range(rounds):
            for cmd, acc in ((base_cmd, base_t), (ours_cmd, ours_t)):
                t = time.perf_counter()
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                acc.append(time.perf_counter() - t)
    ob, oo = statistics.median(base_t), statistics.median(ours_t)
    print(
        f"end to end (process start included): baseline median {ob:.3f} s, "
        f"dkdl score median {oo:.3f} s, ratio {oo / ob:.2f} (goal <= 0.50)"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=200_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--baseline-file", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.baseline_file:  # the baseline as its own process, for end_to_end
        labels = Scorer(load_questionnaire()).labels
        data = Path(args.baseline_file).read_bytes().splitlines()
        sink = io.BytesIO()
        baseline(data, labels, sink)
        sys.stdout.buffer.write(sink.getvalue())
        return
    lines = make_input(args.n)
    data = b"".join(lines)
    chunks = [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]
    scorer = Scorer(load_questionnaire())
    labels = scorer.labels
    ours_t, base_t = [], []
    for _ in range(args.rounds):
        out_b, out_o = io.BytesIO(), io.BytesIO()
        t = time.perf_counter()
        baseline(lines, labels, out_b)
        base_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        bad = score_chunks(scorer, chunks, out_o, io.StringIO())
        ours_t.append(time.perf_counter() - t)
        assert bad == 0
        assert out_o.getvalue() == out_b.getvalue(), "ours and the baseline disagree"
    ob, oo = statistics.median(base_t), statistics.median(ours_t)
    print(f"answer sets: {args.n}, rounds: {args.rounds}")
    print(
        f"baseline median: {ob:.3f} s   ours median: {oo:.3f} s   worst ours: {max(ours_t):.3f} s"
    )
    print(f"in process: ratio ours/baseline: {oo / ob:.2f} (goal <= 0.50)")
    end_to_end(lines, args.rounds)


if __name__ == "__main__":
    main()

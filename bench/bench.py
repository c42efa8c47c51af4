"""`make bench`: ledger's commands on synthetic ledgers of 1,000, 10,000 and 100,000 entries, as ratios to a floor.

Each command is timed as a whole process, in turn with its floor, the least any tool must spend on the same
input (RUNS pairs, one at 100,000 entries; PAIRED_RUNS for the two short commands): the ratio is the median of
the pairs' ratios, which a shared machine whose speed drifts from minute to minute leaves meaningful.

- validate, due, export, resolve: libyaml parsing the file into Python objects (`yaml.load`, CSafeLoader);
- diff: libyaml parsing both versions;
- report: that parse, importing pandas and matplotlib, and saving one empty figure;
- `ledger --help`: a bare Python start that imports yaml.

`check-jsonschema` validating the same file against schema/claims.schema.json is the peer (installed by
`make bench`). Peak memory is the process's own maximum resident set. Prints a Markdown table and never asserts:
timings depend on the machine, so they belong here and not in the tests.

Usage: python bench/bench.py [SIZE ...]   (default: 1000 10000 100000)
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

import yaml

from ledger import load

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000)
RUNS = 3  # pairs of a command and its floor on a synthetic ledger
PAIRED_RUNS = 11  # for the short commands, whose single runs a busy machine moves the most
AS_OF = "today"  # the real ledger and its copies are checked up to the day they were last edited
HISTORY_COMMITS = 1_000
HISTORY_ENTRIES = 2_000
PARSE = "import yaml,sys; yaml.load(open(sys.argv[1], encoding='utf-8'), Loader=yaml.CSafeLoader)"
PARSE_TWO = PARSE + "; yaml.load(open(sys.argv[2], encoding='utf-8'), Loader=yaml.CSafeLoader)"
REPORT_FLOOR = (PARSE + "; import pandas, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot as plt; "
                "plt.figure().savefig(sys.argv[2])")
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org", "GIT_COMMITTER_NAME": "Bench",
           "GIT_COMMITTER_EMAIL": "bench@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class _Dumper(yaml.CSafeDumper):
    # Entries cycled from one list share objects; a ledger never has anchors, so write each value out.
    def ignore_aliases(self, data: object) -> bool:
        return True


def synthetic_entries(count: int) -> list[dict]:
    """`count` entries cycled from the real ledger, each with a fresh id."""
    # The ledger's own reader: plain YAML 1.1 would read the key `on:` of an amendment as the boolean true.
    doc, _ = load.parse((ROOT / "claims.yaml").read_bytes(), "claims.yaml")
    assert doc is not None
    real = doc.data["entries"]
    entries = []
    for i in range(count):
        entry = dict(real[i % len(real)])
        entry["id"] = f"{entry['id']}-{i}"
        entry.pop("related", None)
        entries.append(entry)
    return entries


def dump(data: object) -> str:
    """YAML as PyYAML writes it: no anchors, Unicode kept, keys in their order, long values wrapped."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def synthetic_ledger(folder: Path, size: int = 10_000) -> Path:
    """A copy of the real sources and `size` entries cycled from the real ledger, written by another YAML tool."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    path = folder / "claims.yaml"
    path.write_text(dump({"entries": synthetic_entries(size)}), encoding="utf-8")
    return path


def _reopened(entry: dict) -> dict:
    """The entry with its verdict withdrawn (evidence and criteria kept, as `ledger resolve --reopen` does)."""
    out = {k: v for k, v in entry.items() if k != "resolved_on"}
    out["status"] = "open"
    return out


def synthetic_history(folder: Path, commits: int = HISTORY_COMMITS, count: int = HISTORY_ENTRIES) -> Path:
    """A git repository whose claims.yaml has `commits` versions of `count` entries, built with git fast-import.

    Each commit after the first re-opens one resolved entry or restores its verdict, and records a check on one
    open entry, so every version is valid and successive versions share all but two entries.
    """
    repo = folder / "history"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    entries = synthetic_entries(count)
    texts = [dump([e]) for e in entries]
    resolved = [i for i, e in enumerate(entries) if e["status"] != "open"]
    open_ = [i for i, e in enumerate(entries) if e["status"] == "open"]
    latest = max(d for e in entries for d in (e.get("said_on"), e.get("resolved_on"), e.get("checked_on"))
                 if isinstance(d, dt.date))
    start = dt.datetime.combine(latest + dt.timedelta(days=1), dt.time(9), dt.timezone.utc)
    state = list(texts)
    stream = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=repo, stdin=subprocess.PIPE)
    assert stream.stdin is not None
    for n in range(commits):
        when = start + dt.timedelta(hours=n)
        if n:
            i = resolved[(n * 7) % len(resolved)]
            state[i] = texts[i] if state[i] != texts[i] else dump([_reopened(entries[i])])
            j = open_[(n * 13) % len(open_)]
            state[j] = dump([{**entries[j], "checked_on": when.date()}])
        body = ("entries:\n" + "".join(state)).encode("utf-8")
        stamp = f"{int(when.timestamp())} +0000"
        message = f"version {n}".encode()
        stream.stdin.write(b"commit refs/heads/main\n"
                           + f"author Bench <bench@example.org> {stamp}\ncommitter Bench <bench@example.org> {stamp}\n"
                           .encode() + b"data %d\n%s\n" % (len(message), message)
                           + b"M 100644 inline claims.yaml\ndata %d\n%s\n" % (len(body), body))
    stream.stdin.close()
    if stream.wait():
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    return repo


def run(argv: list[str], cwd: Path, before: Optional[list[str]] = None) -> tuple[float, float]:
    """Wall seconds and peak MiB of one run of a command that must succeed; `before` runs first, untimed."""
    if before:
        subprocess.run(before, cwd=cwd, check=True)
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env={**os.environ, **GIT_ENV})
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{' '.join(argv)} failed ({child.returncode}):\n{err.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


def best(argv: list[str], cwd: Path, before: Optional[list[str]] = None, runs: int = RUNS) -> tuple[float, float]:
    """The fastest of `runs` runs, and the largest peak memory seen."""
    results = [run(argv, cwd, before) for _ in range(runs)]
    return min(t for t, _ in results), max(m for _, m in results)


def paired(argv: list[str], floor: list[str], cwd: Path, runs: int = PAIRED_RUNS,
           before: Optional[list[str]] = None) -> tuple[tuple[float, float], tuple[float, float], float]:
    """Command and floor run in turn, `runs` times each: their median times and largest peaks, and the median of
    the pair-by-pair ratios, which a machine whose speed drifts between runs leaves meaningful."""
    pairs = [(run(argv, cwd, before), run(floor, cwd)) for _ in range(runs)]
    ratio = statistics.median(a / b for (a, _), (b, _) in pairs)
    return ((statistics.median(a for (a, _), _ in pairs), max(m for (_, m), _ in pairs)),
            (statistics.median(b for _, (b, _) in pairs), max(m for _, (_, m) in pairs)), ratio)


def row(size: str, name: str, timed: tuple[float, float], floor: tuple[float, float], note: str = "",
        ratio: Optional[float] = None) -> str:
    """One line of the Markdown table."""
    (t, m), (ft, fm) = timed, floor
    ratio = t / ft if ratio is None else ratio
    return f"| {size} | {name} | {t:.2f} | {ft:.2f} | **{ratio:.2f}x** | {m:.0f} | {fm:.0f} | {note} |"


def open_entry(path: Path) -> str:
    """The id of an open entry, to resolve."""
    doc, _ = load.parse(path.read_bytes(), str(path))
    assert doc is not None
    return next(e["id"] for e in doc.data["entries"] if e["status"] == "open")


def measure(size: int, python: str, ledger: str, peer: Optional[str]) -> list[str]:
    """The table rows for a synthetic ledger of `size` entries."""
    runs = 1 if size >= 100_000 else RUNS
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        # Built in a child: on Linux a process started from this one reports this one's peak memory as its own,
        # so this process must stay small for the peaks below to be the commands' own.
        entry_id = subprocess.run([python, __file__, "--synthesize", str(size), str(folder)], check=True,
                                  capture_output=True, text=True).stdout.strip()
        path = folder / "claims.yaml"
        label = f"{size:,} ({path.stat().st_size / 1e6:.1f} MB)"
        git = ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]
        for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(git + args, cwd=folder, check=True, env={**os.environ, **GIT_ENV})
        original = folder / "original.yaml"
        shutil.copy(path, original)
        parse = [python, "-c", PARSE, str(path)]
        common = ["--as-of", AS_OF]

        def add(name: str, argv: list[str], floor: list[str], note: str = "",
                before: Optional[list[str]] = None) -> None:
            timed, floor_timed, ratio = paired(argv, floor, folder, runs, before)
            lines.append(row(label, name, timed, floor_timed, note, ratio))

        add("validate", [ledger, "validate", "-q", *common, str(path)], parse)
        add("due", [ledger, "due", *common, "--ledger", str(path)], parse)
        add("export", [ledger, "export", *common, "--ledger", str(path)], parse)
        if importlib.util.find_spec("sqlite_utils"):  # the serve extra
            add("export --format sqlite", [ledger, "export", "--format", "sqlite", "--out", str(folder / "ledger.db"),
                                           *common, "--ledger", str(path)], parse, "with the full-text index")
        resolve = [ledger, "resolve", entry_id, "--status", "correct", "--evidence",
                   "https://example.org/outcome", "--type", "primary", "--publisher", "Example", "--published-on",
                   "2026-01-01", "--note", "The outcome.", "--on", "2026-01-02", "--ledger", str(path), *common]
        add("resolve", resolve, parse, "one entry, every other byte kept", ["cp", str(original), str(path)])
        subprocess.run(git + ["commit", "-qam", "resolve one"], cwd=folder, check=True,
                       env={**os.environ, **GIT_ENV})
        head = folder / "head.yaml"
        shutil.copy(path, head)
        add("diff", [ledger, "diff", "--ledger", str(path), "HEAD~1", "HEAD"],
            [python, "-c", PARSE_TWO, str(original), str(head)], "floor: both versions parsed")
        add("report", [ledger, "report", "--ledger", str(path), "--out", str(folder / "reports"), *common],
            [python, "-c", REPORT_FLOOR, str(path), str(folder / "empty.png")],
            "floor: parse + pandas + matplotlib + one figure")
        if peer:
            schema = str(ROOT / "schema" / "claims.schema.json")
            add("check-jsonschema (peer)", [peer, "--schemafile", schema, str(path)], parse,
                "schema only: no lines, quotes or cross-field rules")
    return lines


def measure_history(folder: Path, python: str, ledger: str) -> str:
    """`ledger history` on 1,000 commits of a 2,000-entry ledger, against one version read whole."""
    subprocess.run([python, __file__, "--history", str(folder)], check=True)  # built in a child, as above
    repo = folder / "history"
    # One version read by the strict reader: what each commit would cost without the per-entry cache.
    one = best([python, "-c", "import sys, datetime; from ledger.versions import Reader; "
                "Reader().strict(open(sys.argv[1], 'rb').read(), datetime.date.max)", str(repo / "claims.yaml")], repo, runs=1)
    run_ = best([ledger, "history", "--out", str(folder / "history-out")], repo, runs=1)
    return row(f"{HISTORY_COMMITS:,} commits of {HISTORY_ENTRIES:,} entries", "history", run_, one,
               f"floor: one version read whole; one by one would be {HISTORY_COMMITS:,}x")


def main() -> None:
    if sys.argv[1:2] == ["--synthesize"]:  # the child that builds a ledger: prints an open entry's id
        print(open_entry(synthetic_ledger(Path(sys.argv[3]), int(sys.argv[2]))))
        return
    if sys.argv[1:2] == ["--history"]:
        synthetic_history(Path(sys.argv[2]))
        return
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    python = sys.executable
    bin_dir = Path(python).parent
    ledger = str(bin_dir / "ledger")
    peer = str(bin_dir / "check-jsonschema") if (bin_dir / "check-jsonschema").exists() else None
    print("| entries | command | seconds | floor s | ratio | peak MiB | floor MiB | note |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # Short commands, so paired runs: a busy neighbour moves one run by as much as the command takes.
        help_, floor, ratio = paired([ledger, "--help"], [python, "-c", "import yaml"], ROOT)
        print(row("–", "ledger --help", help_, floor, "floor: python -c 'import yaml'; paired", ratio), flush=True)
        real, floor, ratio = paired([ledger, "report", "--out", str(out / "reports"), "--as-of", AS_OF],
                                    [python, "-c", REPORT_FLOOR, str(ROOT / "claims.yaml"), str(out / "empty.png")],
                                    ROOT)
        print(row("real ledger", "report", real, floor, "3 charts as SVG and PNG, 5 text files; paired", ratio),
              flush=True)
    for size in sizes:
        for line in measure(size, python, ledger, peer):
            print(line, flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(measure_history(Path(tmp), python, ledger), flush=True)
    if peer is None:
        print("\n(check-jsonschema is not installed: `make bench` installs it)")


if __name__ == "__main__":
    main()

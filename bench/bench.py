"""`make bench`: time ledger commands on a synthetic 10,000-entry ledger, as ratios to a floor.

Prints ratios, never asserts: timings depend on the machine, so they belong here and not in the tests.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from ledger import load

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = 10_000
RUNS = 3
HISTORY_COMMITS = 1_000
HISTORY_ENTRIES = 2_000


class _Dumper(yaml.CSafeDumper):
    # Entries cycled from one list share objects; a ledger never has anchors, so write each value out.
    def ignore_aliases(self, data: object) -> bool:
        return True


def synthetic_entries(count: int = ENTRIES) -> list[dict]:
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
    """YAML text as the ledger writes it: no anchors, Unicode kept, keys in their order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def synthetic_ledger(folder: Path, count: int = ENTRIES) -> Path:
    """A copy of the real sources and `count` entries cycled from the real ledger."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    path = folder / "claims.yaml"
    path.write_text(dump({"entries": synthetic_entries(count)}), encoding="utf-8")
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


def best(argv: list[str], cwd: Path, runs: int = RUNS) -> float:
    """The fastest of `runs` wall-clock runs of a command that must succeed."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
        if run.returncode:
            sys.exit(f"{' '.join(argv)} failed:\n{run.stderr}")
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    python = sys.executable
    ledger = str(Path(python).parent / "ledger")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = synthetic_ledger(folder)
        size = path.stat().st_size / 1e6
        parse = best([python, "-c", "import yaml,sys; yaml.load(open(sys.argv[1], encoding='utf-8'), "
                      "Loader=yaml.CSafeLoader)", str(path)], folder)
        validate = best([ledger, "validate", "-q", "--as-of", "today", str(path)], folder)
        print(f"synthetic ledger: {ENTRIES} entries, {size:.1f} MB; best of {RUNS} runs")
        print(f"libyaml parse          {parse:6.2f} s")
        print(f"ledger validate        {validate:6.2f} s   ratio {validate / parse:.2f} (target <= 1.5)")
        if shutil.which(ledger) and subprocess.run([ledger, "report", "--help"], capture_output=True).returncode == 0:
            floor = best([python, "-c", "import yaml,sys; yaml.load(open(sys.argv[1], encoding='utf-8'), "
                          "Loader=yaml.CSafeLoader); import pandas, matplotlib; matplotlib.use('Agg'); "
                          "import matplotlib.pyplot as plt; plt.figure().savefig(sys.argv[2])",
                          str(path), str(folder / "empty.png")], folder)
            report = best([ledger, "report", "--ledger", str(path), "--out", str(folder / "reports"),
                           "--as-of", "today"], folder)
            print(f"floor (parse + pandas + matplotlib + one empty figure) {floor:6.2f} s")
            print(f"ledger report          {report:6.2f} s   ratio {report / floor:.2f} (target <= 2)")
        history_bench(folder, python, ledger)


def history_bench(folder: Path, python: str, ledger: str, commits: int = HISTORY_COMMITS,
                  count: int = HISTORY_ENTRIES) -> None:
    """`ledger history` on 1,000 commits of a 2,000-entry ledger, against reading its newest version once."""
    start = time.perf_counter()
    repo = synthetic_history(folder, commits, count)
    built = time.perf_counter() - start
    size = (repo / "claims.yaml").stat().st_size / 1e6
    print(f"synthetic history: {commits} commits of a {count}-entry ledger ({size:.1f} MB a version), "
          f"built with git fast-import in {built:.0f} s; one run each")
    # One version read whole by the strict reader: what each commit would cost without the per-entry cache.
    one = best([python, "-c", "import sys, datetime; from ledger.versions import Reader; "
                "Reader().strict(open(sys.argv[1], 'rb').read(), datetime.date.max)", str(repo / "claims.yaml")], repo, 1)
    run = best([ledger, "history", "--out", str(folder / "history-out")], repo, 1)
    print(f"one version, strict    {one:6.2f} s   x {commits} = {one * commits:.0f} s to read them one by one")
    # Target: the whole history for no more than 50 versions read whole, 20 times faster than one by one.
    print(f"ledger history         {run:6.2f} s   {1000 * run / commits:.0f} ms a commit, "
          f"ratio {run / one:.1f} to one version (target <= {commits / 20:.0f})")


if __name__ == "__main__":
    main()

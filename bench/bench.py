"""`make bench`: time ledger commands on a synthetic 10,000-entry ledger, as ratios to a floor.

Prints ratios, never asserts: timings depend on the machine, so they belong here and not in the tests.
"""

from __future__ import annotations

import importlib.util
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


class _Dumper(yaml.CSafeDumper):
    # Entries cycled from one list share objects; a ledger never has anchors, so write each value out.
    def ignore_aliases(self, data: object) -> bool:
        return True


def synthetic_ledger(folder: Path) -> Path:
    """A copy of the real sources and 10,000 entries cycled from the real ledger, each with a fresh id."""
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    # The ledger's own reader: plain YAML 1.1 would read the key `on:` of an amendment as the boolean true.
    doc, _ = load.parse((ROOT / "claims.yaml").read_bytes(), "claims.yaml")
    assert doc is not None
    real = doc.data["entries"]
    entries = []
    for i in range(ENTRIES):
        entry = dict(real[i % len(real)])
        entry["id"] = f"{entry['id']}-{i}"
        entry.pop("related", None)
        entries.append(entry)
    path = folder / "claims.yaml"
    path.write_text(yaml.dump({"entries": entries}, Dumper=_Dumper, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def best(argv: list[str], cwd: Path) -> float:
    """The fastest of RUNS wall-clock runs of a command that must succeed."""
    times = []
    for _ in range(RUNS):
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
        if importlib.util.find_spec("sqlite_utils"):  # the serve extra
            db = folder / "ledger.db"
            export = best([ledger, "export", "--format", "sqlite", "--out", str(db), "--ledger", str(path),
                           "--as-of", "today"], folder)
            print(f"ledger export sqlite   {export:6.2f} s   ratio {export / parse:.2f}, "
                  f"database {db.stat().st_size / 1e6:.1f} MB")
        if shutil.which(ledger) and subprocess.run([ledger, "report", "--help"], capture_output=True).returncode == 0:
            floor = best([python, "-c", "import yaml,sys; yaml.load(open(sys.argv[1], encoding='utf-8'), "
                          "Loader=yaml.CSafeLoader); import pandas, matplotlib; matplotlib.use('Agg'); "
                          "import matplotlib.pyplot as plt; plt.figure().savefig(sys.argv[2])",
                          str(path), str(folder / "empty.png")], folder)
            report = best([ledger, "report", "--ledger", str(path), "--out", str(folder / "reports"),
                           "--as-of", "today"], folder)
            print(f"floor (parse + pandas + matplotlib + one empty figure) {floor:6.2f} s")
            print(f"ledger report          {report:6.2f} s   ratio {report / floor:.2f} (target <= 2)")


if __name__ == "__main__":
    main()

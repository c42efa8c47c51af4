"""Score ledger's rules, jionlp.parse_time and dateparser on tests/fixtures/deadline_phrases.tsv.

Right = the same window end as expected for a reading (the day a prediction falls due), no answer for a refusal.
jionlp is not a dependency: run this with a Python that has it (`pip install jionlp dateparser`). The table was
written with the rules, so their score on it is a regression check, not an independent measure.
"""
import datetime as dt, sys, time, warnings, io, contextlib
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
warnings.filterwarnings("ignore")
from ledger.deadlines import window
from ledger.phrases import read, Reading

rows = []
for line in open(__import__("pathlib").Path(__file__).resolve().parent.parent / "tests/fixtures/deadline_phrases.tsv", encoding="utf-8"):
    line = line.rstrip("\n")
    if line and not line.startswith("#"):
        p, s, e = line.split("\t")[:3]
        s = dt.date.fromisoformat(s)
        rows.append((p, s, None if e.startswith("!") else window(e, s).end))

def ours(p, s):
    r = read(p, s)
    return r.end if isinstance(r, Reading) else None

t = time.time()
with contextlib.redirect_stdout(io.StringIO()):
    import jionlp
jio_import = time.time() - t
def jio(p, s):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            r = jionlp.parse_time(p, time_base=time.mktime(s.timetuple()))
    except Exception:
        return None
    if r.get("type") in ("time_point", "time_span"):
        try:
            return dt.date.fromisoformat(r["time"][-1][:10])
        except ValueError:
            return None  # 'inf': an open end
    if r.get("type") == "time_delta":
        d = r["time"][-1] if isinstance(r["time"], list) else r["time"]
        days = d.get("year", 0) * 365.25 + d.get("month", 0) * 30.44 + d.get("day", 0) + d.get("week", 0) * 7 if isinstance(d, dict) else None
        return s + dt.timedelta(days=round(days)) if days else None
    return None

t = time.time()
import dateparser
dp_import = time.time() - t
def dp(p, s):
    try:
        f = dateparser.date.DateDataParser(settings={"RELATIVE_BASE": dt.datetime.combine(s, dt.time()), "PREFER_DATES_FROM": "future"}).get_date_data(p)
    except Exception:
        return None
    d = f.date_obj
    if d is None:
        return None
    try:
        return window({"year": str(d.year), "month": f"{d.year}-{d.month:02d}"}.get(f.period, d.date().isoformat()), s).end
    except ValueError:
        return None

def jio_future(p, s):
    got = jio(p, s)
    return got if got and got >= s else None

def dp_future(p, s):
    got = dp(p, s)
    return got if got and got >= s else None

results = {}
for name, fn in (("ledger rules", ours), ("jionlp.parse_time", jio), ("jionlp, past refused", jio_future), ("dateparser", dp), ("dateparser, past refused", dp_future)):
    right = {"reading": 0, "refusal": 0}; n = {"reading": 0, "refusal": 0}; wrong = []; zh = [0, 0]; loose = 0
    t = time.time()
    for p, s, e in rows:
        k = "refusal" if e is None else "reading"
        n[k] += 1
        got = fn(p, s)
        cjk = any("\u4e00" <= c <= "\u9fff" for c in p)
        zh[1] += cjk
        if got == e or (e and got and abs((got - e).days) <= 31):
            loose += 1
        if got == e:
            right[k] += 1
            zh[0] += cjk
        else:
            wrong.append((p, str(s), str(e), str(got)))
    el = time.time() - t
    print(f"{name:18} right {right['reading'] + right['refusal']}/{len(rows)}  (readings {right['reading']}/{n['reading']}, refusals {right['refusal']}/{n['refusal']})  {el:.2f}s for the table; Chinese rows {zh[0]}/{zh[1]}; within a month of the right end {loose}/{len(rows)}")
    results[name] = wrong
print(f"import: jionlp {jio_import:.2f}s, dateparser {dp_import:.2f}s")
if "-v" in sys.argv:
    for name, wrong in results.items():
        print("==", name)
        for w in wrong: print("  ", *w)

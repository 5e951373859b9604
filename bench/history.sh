#!/usr/bin/env bash
# What a long log costs: `plan`, `start` to its first cue, the web's Today page, the web's
# Start (POST /api/sessions), `stats`, `history` and the web's History and Progress pages
# with 0, 1,000 and 10,000 sessions in the log, measured
# side by side in one run (medians), and the peak memory of `export json` at each size.
# A day's work must cost what a day's work costs, whatever the length of the history:
# the target is within 1.5x of the empty log.
#
#   bench/history.sh [RUNS]     (default 15 runs of each measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-15}
cargo build --release --locked -q -p backstretch
cargo build --release --locked -q -p backstretch-web --example load
BIN=$PWD/target/release/backstretch
LOAD=$PWD/target/release/examples/load
WORK=$(mktemp -d)
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

setup() { # a data directory set up as after the first run
  BACKSTRETCH_HOME=$1 "$BIN" profile set --area lower-back --area neck --place floor --place chair --minutes 10 >/dev/null
  BACKSTRETCH_HOME=$1 "$BIN" disclaimer --accept >/dev/null
  BACKSTRETCH_HOME=$1 "$BIN" safety --answers none >/dev/null
}

# One real session, played fast, as the template of the history.
setup "$WORK/template"
BACKSTRETCH_HOME=$WORK/template "$BIN" start --plain --speed 1000 --pain-before 3 --pain-after 2 >/dev/null 2>&1
BACKSTRETCH_HOME=$WORK/template "$BIN" export json > "$WORK/one.json"

for n in 0 1000 10000; do
  home=$WORK/home-$n
  setup "$home"
  python3 - "$WORK/one.json" "$n" > "$WORK/log-$n.json" <<'PY'
import copy, datetime, json, sys, uuid
one = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
base = one["sessions"][0]
out = []
t0 = datetime.datetime.fromisoformat(base["started_at"])
def shift(text, delta):
    return (datetime.datetime.fromisoformat(text) + delta).isoformat()
for i in range(n):
    # Backwards from three days ago: one session a day for 1,000; three a day for 10,000.
    delta = -datetime.timedelta(days=3) - datetime.timedelta(hours=(24 if n <= 1000 else 8) * i)
    s = copy.deepcopy(base)
    s["uid"] = uuid.uuid4().hex
    for k in ("started_at", "ended_at", "heartbeat_at"):
        s[k] = shift(s[k], delta)
    for st in s["steps"]:
        st["at"] = shift(st["at"], delta)
    s["pain_before"], s["pain_after"] = 3 + i % 3, 2 + i % 3
    out.append(s)
out.reverse()
json.dump({"format": one["format"], "version": one["version"], "sessions": out}, sys.stdout)
PY
  [ "$n" -gt 0 ] && BACKSTRETCH_HOME=$home "$BIN" import "$WORK/log-$n.json" >/dev/null
done

python3 - "$BIN" "$WORK" "$RUNS" "$LOAD" <<'PY'
import os, socket, statistics, subprocess, sys, time, urllib.request
bin, work, runs, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sizes = [0, 1000, 10000]
def env(n):
    return dict(os.environ, BACKSTRETCH_HOME=f"{work}/home-{n}")
def timed(f):
    s = time.perf_counter(); f(); return (time.perf_counter() - s) * 1000
def plan(n):
    subprocess.run([bin, "plan"], env=env(n), stdout=subprocess.DEVNULL, check=True)
def first_cue(n):
    # The session is stopped at its first cue; the stopped sessions stay in the log, a
    # handful among thousands.
    p = subprocess.Popen([bin, "start", "--plain", "--pain-before", "2", "--pain-after", "2"],
                         env=env(n), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("[00:00]"):
            break
    p.kill(); p.wait()
servers, ports = {}, {}
for n in sizes:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    servers[n] = subprocess.Popen([bin, "serve", "--listen", f"127.0.0.1:{port}"], env=env(n),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ports[n] = port
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css"); break
        except OSError:
            time.sleep(0.1)
def today(n):
    urllib.request.urlopen(f"http://127.0.0.1:{ports[n]}/today").read()
def cli(*args):
    return lambda n: subprocess.run([bin, *args], env=env(n), stdout=subprocess.DEVNULL, check=True)
def page(path):
    return lambda n: urllib.request.urlopen(f"http://127.0.0.1:{ports[n]}{path}").read()
def web_start(n):
    base = f"http://127.0.0.1:{ports[n]}"
    req = urllib.request.Request(f"{base}/api/sessions", data=b"{}", method="POST",
                                 headers={"Content-Type": "application/json", "Origin": base})
    urllib.request.urlopen(req).read()
results = {}
try:
    for name, f in [("plan", plan), ("start to first cue", first_cue), ("web Today", today),
                    ("web Start", web_start), ("stats", cli("stats")), ("history", cli("history")),
                    ("web History", page("/history")), ("web Progress", page("/progress"))]:
        samples = {n: [] for n in sizes}
        for _ in range(runs):
            for n in sizes:  # side by side, alternating
                samples[n].append(timed(lambda: f(n)))
        results[name] = {n: statistics.median(v) for n, v in samples.items()}
    # The web's plan while the log changes: 10 clients ask for the plan while 10 others log
    # steps, so the cached plan is made again after each change.
    changing = {}
    for n in sizes:
        steps = subprocess.Popen([load, str(ports[n]), "step", "10", "2000"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = subprocess.run([load, str(ports[n]), "plan", "10", "2000"], capture_output=True,
                             text=True)
        steps.wait()
        out = run.stdout.strip() or run.stderr.strip()
        changing[n] = out.splitlines()[-1] if out else "?"
finally:
    for p in servers.values():
        p.terminate()
print(f"{'':22} {'0 sessions':>12} {'1,000':>16} {'10,000':>16}")
for name, r in results.items():
    base = r[0]
    print(f"{name:22} {base:9.1f} ms " + " ".join(f"{r[n]:7.1f} ms {r[n] / base:4.2f}x" for n in sizes[1:]))
for n in sizes:
    print(f"web plan while steps change the log, {n} sessions: {changing[n]}")
for n in sizes:
    out = subprocess.run(["/usr/bin/time", "-f", "%M", bin, "export", "json"], env=env(n),
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    print(f"export json, {n} sessions: peak memory {int(out.stderr.split()[-1]) / 1024:.1f} MB")
PY

#!/usr/bin/env python3
"""Time awsuse against the tools people use today to list and switch AWS profiles.

Installs the Python AWS CLI (`awscli`, with boto3) and `awsume` from PyPI into a virtual
environment of its own (a peer that cannot be installed is reported and its rows are marked
missing), generates AWS trees of several sizes with gen_aws_config.py, and measures in one run:

- listing profile names: `awsuse list --names`, the AWS CLI's completion of `aws --profile `
  (`aws_completer`), boto3's `available_profiles`, `awsume -l`;
- switching to a static-key profile and to an assume-role profile: `awsuse use` and
  `awsume NAME --show-commands`; awsume asks STS for every role, so it is given a stub STS on
  the loopback interface that answers at once, and no request leaves the machine;
- completing profile names: the bash completion of `awsuse use `, `aws_completer`, and
  `awsume-autocomplete` (what awsume's shell completion calls);
- a Rust program that only starts, the floor for any Rust command.

Each command runs in fresh processes; the report gives the median, the 10th to 90th
percentile and the peak resident memory (GNU time), the ratios to awsuse, and an SVG chart of
time against the number of profiles. Writes OUT/peers.json, OUT/peers.md and OUT/peers.svg.

Usage: peers.py --bin target/release/awsuse [--sizes 10,1000,10000] [--runs 15]
                [--peer-runs 5] [--venv DIR] [--out bench-out]
"""

import argparse
import http.server
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
from bench import NO_MFA_ROLE, add_no_mfa_role, peak_kib, tree  # noqa: E402

PEERS = {"awscli": ["awscli", "boto3"], "awsume": ["awsume"]}

def install_peers(venv):
    """A venv with each peer installed, and for each peer either its version or why not."""
    status = {}
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    pip = [os.path.join(venv, "bin", "python"), "-m", "pip", "install", "-q",
           "--disable-pip-version-check"]
    for peer, packages in PEERS.items():
        r = subprocess.run(pip + packages, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode != 0:
            status[peer] = {"installed": False, "error": r.stdout.strip()[-500:]}
            print("could not install %s: its rows are marked missing\n%s"
                  % (peer, r.stdout[-500:]), file=sys.stderr)
            continue
        show = subprocess.run([os.path.join(venv, "bin", "python"), "-m", "pip", "show",
                               packages[0]], stdout=subprocess.PIPE, text=True)
        version = next((line.split(":", 1)[1].strip() for line in show.stdout.splitlines()
                        if line.startswith("Version:")), "?")
        status[peer] = {"installed": True, "version": version}
    return status


STS_ANSWER = """<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<{action}Result>
<Credentials><AccessKeyId>ASIABENCHSTUB0000001</AccessKeyId>
<SecretAccessKey>c3R1YnN0dWJzdHVic3R1YnN0dWJzdHVic3R1YnN0</SecretAccessKey>
<SessionToken>stub</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROABENCH:bench</AssumedRoleId>
<Arn>arn:aws:sts::141777631706:assumed-role/Admin/bench</Arn></AssumedRoleUser>
<Account>141777631706</Account><Arn>arn:aws:iam::141777631706:user/bench</Arn>
<UserId>AIDABENCH</UserId>
</{action}Result>
<ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>
</{action}Response>
"""


class StubSts(http.server.BaseHTTPRequestHandler):
    """Answers every STS query at once with fixed credentials, for the action asked."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        fields = dict(p.split("=", 1) for p in body.split("&") if "=" in p)
        answer = STS_ANSWER.format(action=fields.get("Action", "GetCallerIdentity")).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def start_stub_sts():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StubSts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d" % server.server_address[1]


def build_floor(work):
    """A Rust program that only starts: the least any Rust command costs."""
    src = os.path.join(work, "floor.rs")
    exe = os.path.join(work, "floor")
    with open(src, "w") as f:
        f.write("fn main() {}\n")
    subprocess.run(["rustc", "-O", "-o", exe, src], check=True)
    return exe


def time_runs(argv, env, runs, warmup):
    """Wall and CPU (user + system) seconds of `argv` in `runs` fresh processes after `warmup`
    unmeasured ones, or the failure's message. On a shared machine the wall time includes
    waiting for a core; the CPU time does not."""
    walls, cpus = [], []
    with tempfile.TemporaryFile() as err:
        for i in range(warmup + runs):
            err.seek(0)
            err.truncate()
            start = time.perf_counter()
            child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(child.pid, 0)
            elapsed = time.perf_counter() - start
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode != 0:
                err.seek(0)
                return None, "exit %d: %s" % (child.returncode,
                                              err.read().decode(errors="replace")[-300:])
            if i >= warmup:
                walls.append(elapsed)
                cpus.append(usage.ru_utime + usage.ru_stime)
    return (walls, cpus), None


def time_together(argvs, env, runs, warmup):
    """`time_runs` for several commands taking turns, run by run: the machine's speed
    changes from minute to minute, and taking turns makes a change fall on all of them
    alike, which keeps their ratios honest. A command that fails is dropped with its
    message."""
    measured = {i: ([], []) for i in range(len(argvs))}
    errors = {}
    for run in range(warmup + runs):
        for i, argv in enumerate(argvs):
            if i in errors:
                continue
            result, error = time_runs(argv, env, 1, 0)
            if error:
                errors[i] = error
            elif run >= warmup:
                measured[i][0].extend(result[0])
                measured[i][1].extend(result[1])
    return measured, errors


def summary(measured):
    times, cpus = sorted(measured[0]), measured[1]
    if len(times) >= 2:
        q = statistics.quantiles(times, n=10, method="inclusive")
        p10, p90 = q[0], q[-1]
    else:
        p10 = p90 = times[0]
    return {"median_ms": statistics.median(times) * 1e3, "p10_ms": p10 * 1e3,
            "p90_ms": p90 * 1e3, "cpu_ms": statistics.median(cpus) * 1e3, "runs": len(times)}


def cases(binary, venv, floor, peers, targets, init):
    """(task, tool, argv or None when the peer is missing) for one tree."""
    bin_dir = os.path.join(venv, "bin")
    py = os.path.join(bin_dir, "python")
    aws = peers.get("awscli", {}).get("installed")
    awsume = peers.get("awsume", {}).get("installed")
    static, role = targets["static"], NO_MFA_ROLE
    bash_tab = ("source %s; COMP_WORDS=(awsuse use ''); COMP_CWORD=2; "
                "__awsuse_complete awsuse '' use" % init)
    return [
        ("start", "Rust program that only starts", [floor]),
        ("list", "awsuse list --names", [binary, "list", "--names"]),
        ("list", "aws_completer (aws --profile <Tab>)",
         aws and [os.path.join(bin_dir, "aws_completer")]),
        ("list", "boto3 available_profiles",
         aws and [py, "-c", "import boto3; print(boto3.Session().available_profiles)"]),
        ("list", "awsume -l", awsume and [os.path.join(bin_dir, "awsumepy"), "-l"]),
        ("static", "awsuse use (static keys)", [binary, "use", static, "--shell", "bash"]),
        ("static", "awsume --show-commands (static keys)",
         awsume and [os.path.join(bin_dir, "awsumepy"), static, "--show-commands"]),
        ("role", "awsuse use (assume role)", [binary, "use", role, "--shell", "bash"]),
        ("role", "awsume --show-commands (assume role, stub STS)",
         awsume and [os.path.join(bin_dir, "awsumepy"), role, "--show-commands"]),
        ("complete", "awsuse: bash Tab after `awsuse use `", ["bash", "--norc", "-c", bash_tab]),
        ("complete", "aws_completer (aws --profile <Tab>)",
         aws and [os.path.join(bin_dir, "aws_completer")]),
        ("complete", "awsume-autocomplete",
         awsume and [os.path.join(bin_dir, "awsume-autocomplete")]),
    ]


def is_native(argv, binary, floor):
    """Whether `argv` runs awsuse, bash or the floor rather than a Python tool."""
    return argv[0] in (binary, floor) or argv[0] == "bash"


def run_size(a, size, work, binary, floor, peers, sts_url):
    home, manifest = tree(work, size)
    targets = manifest["targets"]
    add_no_mfa_role(home, targets)
    size_bytes = sum(os.path.getsize(os.path.join(home, ".aws", n))
                     for n in ("config", "credentials"))
    init = os.path.join(home, "init.bash")
    with open(init, "wb") as f:
        f.write(subprocess.run([binary, "init", "bash"], check=True,
                               stdout=subprocess.PIPE).stdout)
    env = {"HOME": home, "AWSUSE_STATE_DIR": os.path.join(home, "state"),
           "PATH": os.pathsep.join([os.path.dirname(binary), os.path.join(a.venv, "bin"),
                                    os.environ.get("PATH", "")]),
           "AWS_ENDPOINT_URL_STS": sts_url, "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_MAX_ATTEMPTS": "1", "COMP_LINE": "aws --profile ", "COMP_POINT": "14",
           "LANG": "C.UTF-8"}
    rows = []
    listed = cases(binary, a.venv, floor, peers, targets, init)
    # awsuse, bash and the floor take turns; the Python tools, a second a run, follow.
    native = [argv for _, _, argv in listed if argv and is_native(argv, binary, floor)]
    together, failed = time_together(native, env, a.runs, 3)
    for task, tool, argv in listed:
        row = {"profiles": size, "bytes": size_bytes, "task": task, "tool": tool}
        if not argv:
            row["missing"] = "not installed"
            rows.append(row)
            continue
        python = not is_native(argv, binary, floor)
        if python:
            times, error = time_runs(argv, env, a.peer_runs, 1)
        else:
            at = native.index(argv)
            times, error = together[at], failed.get(at)
        if error:
            row["missing"] = error
            print("%6d %-50s failed: %s" % (size, tool, error), file=sys.stderr)
        else:
            row.update(summary(times))
            row["peak_kib"] = peak_kib(argv, env, runs=1 if python else 3)
            print("%6d %-50s median %9.2f ms  p10-p90 %8.2f-%8.2f ms  cpu %8.2f ms  "
                  "peak %6.1f MiB" % (size, tool, row["median_ms"], row["p10_ms"],
                                      row["p90_ms"], row["cpu_ms"], row["peak_kib"] / 1024),
                  file=sys.stderr)
        rows.append(row)
    return rows


def machine():
    """What the figures were measured on, load included: the machine may be shared."""
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version(), "load_before": os.getloadavg(),
            "rustc": subprocess.run(["rustc", "--version"], stdout=subprocess.PIPE,
                                    text=True).stdout.strip()}


def ratios(rows):
    """For each size and task, how many times longer each peer takes than awsuse."""
    out = []
    for size in sorted({r["profiles"] for r in rows}):
        for task in ("list", "static", "role", "complete"):
            group = [r for r in rows if r["profiles"] == size and r["task"] == task
                     and "median_ms" in r]
            ours = next((r for r in group if r["tool"].startswith("awsuse")), None)
            if not ours:
                continue
            for r in group:
                if r is not ours:
                    out.append({"profiles": size, "task": task, "tool": r["tool"],
                                "times": r["median_ms"] / ours["median_ms"],
                                "cpu_times": r["cpu_ms"] / ours["cpu_ms"]})
    return out


def checks(rows):
    """The targets: 50 times faster than the peers at 10,000 profiles, within 3 times of a
    program that only starts at 10, and time growing no faster than the file size."""
    out = []
    by = {(r["profiles"], r["tool"]): r for r in rows if "median_ms" in r}
    sizes = sorted({r["profiles"] for r in rows})
    big, small = sizes[-1], sizes[0]
    for r in ratios(rows):
        if r["profiles"] == big and r["task"] in ("list", "static", "role"):
            out.append(("at %d profiles, %s takes %.0f times the wall time of awsuse, %.0f "
                        "times its CPU time (target: 50)"
                        % (big, r["tool"], r["times"], r["cpu_times"]), r["times"] >= 50))
    floor = by.get((small, "Rust program that only starts"))
    for tool in ("awsuse list --names", "awsuse use (static keys)", "awsuse use (assume role)"):
        r = by.get((small, tool))
        if floor and r:
            k = r["median_ms"] / floor["median_ms"]
            out.append(("at %d profiles, %s takes %.1f times the wall time of a program that "
                        "only starts (target: 3)" % (small, tool, k), k <= 3))
            k = r["cpu_ms"] / floor["cpu_ms"]
            out.append(("at %d profiles, %s takes %.1f times the CPU time of a program that "
                        "only starts (%.2f ms against %.2f ms)"
                        % (small, tool, k, r["cpu_ms"], floor["cpu_ms"]), k <= 3))
        lo, hi = by.get((small, tool)), by.get((big, tool))
        if lo and hi and big != small:
            grow = hi["median_ms"] / lo["median_ms"]
            size = hi["bytes"] / lo["bytes"]
            out.append(("from %d to %d profiles, %s grows %.1f times, the files %.0f times"
                        % (small, big, tool, grow, size), grow <= size))
    return out


COLOURS = {"awsuse": "#d62728", "aws_completer": "#1f77b4", "boto3": "#17becf",
           "awsume": "#2ca02c", "Rust": "#7f7f7f"}
DASHES = {"list": "", "static": "6,3", "role": "2,3", "complete": "10,3,2,3", "start": "1,2"}


def svg_chart(rows, path):
    """Median time against profiles, both axes logarithmic, one line a tool and task."""
    series = {}
    for r in rows:
        if "median_ms" in r:
            series.setdefault((r["task"], r["tool"]), []).append((r["profiles"], r["median_ms"]))
    if not series:
        return
    w, h, left, right, top, bottom = 1040, 520, 70, 470, 40, 50
    xs = sorted({p for pts in series.values() for p, _ in pts})
    ys = [t for pts in series.values() for _, t in pts]
    y_lo = 10 ** math.floor(math.log10(min(ys)))
    y_hi = 10 ** math.ceil(math.log10(max(ys)))
    x_lo, x_hi = math.log10(xs[0]), math.log10(xs[-1]) if len(xs) > 1 else math.log10(xs[0]) + 1

    def px(p):
        return left + (math.log10(p) - x_lo) / (x_hi - x_lo) * (w - left - right)

    def py(t):
        return top + (1 - (math.log10(t) - math.log10(y_lo))
                      / (math.log10(y_hi) - math.log10(y_lo))) * (h - top - bottom)

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (w, h),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="22" font-size="15">Median wall time against profiles in '
           '~/.aws (log-log)</text>' % left]
    decade = y_lo
    while decade <= y_hi:
        y = py(decade)
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                   % (left, w - right, y, y))
        label = "%g ms" % decade if decade < 1000 else "%g s" % (decade / 1000)
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (left - 6, y + 4, label))
        decade *= 10
    for p in xs:
        x = px(p)
        out.append('<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>'
                   % (x, x, top, h - bottom))
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                   % (x, h - bottom + 18, "{:,}".format(p)))
    out.append('<text x="%d" y="%d" text-anchor="middle">profiles</text>'
               % ((left + w - right) / 2, h - 10))
    for i, ((task, tool), pts) in enumerate(sorted(series.items())):
        colour = next((c for k, c in COLOURS.items() if tool.startswith(k)), "#000")
        pts.sort()
        line = " ".join("%.1f,%.1f" % (px(p), py(t)) for p, t in pts)
        out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2" '
                   'stroke-dasharray="%s"/>' % (line, colour, DASHES.get(task, "")))
        for p, t in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (px(p), py(t), colour))
        ly = top + 10 + i * 18
        out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2" '
                   'stroke-dasharray="%s"/>' % (w - right + 15, w - right + 45, ly, ly, colour,
                                                DASHES.get(task, "")))
        label = tool if task == "start" else "%s: %s" % (task, tool)
        out.append('<text x="%d" y="%d">%s</text>'
                   % (w - right + 50, ly + 4, label.replace("&", "&amp;").replace("<", "&lt;")
                      .replace(">", "&gt;")))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def markdown(rows, peers, info, args):
    lines = ["Measured %s on %s (%d cores), Linux %s, %s, Python %s; load average before "
             "the run %.2f %.2f %.2f." % (time.strftime("%Y-%m-%d"), info["cpu"], info["cores"],
                                        info["kernel"], info["rustc"], info["python"],
                                        *info["load_before"]),
             "Load average after the run: %.2f %.2f %.2f." % tuple(info["load_after"]), "",
             "Peers: " + ", ".join(
                 "%s %s" % (p, s["version"]) if s["installed"] else "%s NOT INSTALLED" % p
                 for p, s in peers.items()) + ".", "",
             "Runs per command: %d for awsuse, bash and the Rust floor (after 3 warm-up runs, "
             "taking turns run by run), %d for the Python tools (after 1)."
             % (args.runs, args.peer_runs), "",
             "| profiles | file size | task | command | median | p10 to p90 | CPU (median) "
             "| peak memory |",
             "|---:|---:|---|---|---:|---:|---:|---:|"]
    for r in rows:
        if "median_ms" in r:
            lines.append("| %s | %.0f KiB | %s | %s | %.2f ms | %.2f to %.2f ms | %.2f ms "
                         "| %.1f MiB |" % ("{:,}".format(r["profiles"]), r["bytes"] / 1024,
                                           r["task"], r["tool"], r["median_ms"], r["p10_ms"],
                                           r["p90_ms"], r["cpu_ms"], r["peak_kib"] / 1024))
        else:
            lines.append("| %s | %.0f KiB | %s | %s | missing: %s | | | |"
                         % ("{:,}".format(r["profiles"]), r["bytes"] / 1024, r["task"],
                            r["tool"], r["missing"].replace("|", "/").replace("\n", " ")))
    lines += ["", "| profiles | task | peer | times awsuse's wall time | times awsuse's CPU "
              "time |", "|---:|---|---|---:|---:|"]
    for r in ratios(rows):
        lines.append("| %s | %s | %s | %.0f× | %.0f× |"
                     % ("{:,}".format(r["profiles"]), r["task"], r["tool"], r["times"],
                        r["cpu_times"]))
    lines += ["", "| target | met |", "|---|---|"]
    for text, ok in checks(rows):
        lines.append("| %s | %s |" % (text, "yes" if ok else "**no**"))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--sizes", default="10,1000,10000")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--peer-runs", type=int, default=5)
    ap.add_argument("--venv", help="where to install the peers (default: a temporary one)")
    ap.add_argument("--out", default="bench-out")
    ap.add_argument("--report-only", metavar="JSON",
                    help="write the report and chart again from an earlier peers.json")
    a = ap.parse_args()
    if a.report_only:
        with open(a.report_only) as f:
            saved = json.load(f)
        a.runs, a.peer_runs = saved.get("runs", a.runs), saved.get("peer_runs", a.peer_runs)
        return report(a, saved["rows"], saved["peers"], saved["machine"])
    if not a.bin:
        ap.error("--bin is needed to measure")

    binary = os.path.abspath(a.bin)
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="awsuse-peers-")
    a.venv = os.path.abspath(a.venv or os.path.join(work, "venv"))
    server = None
    try:
        info = machine()
        peers = install_peers(a.venv)
        floor = build_floor(work)
        server, sts_url = start_stub_sts()
        rows = []
        for size in [int(s) for s in a.sizes.split(",")]:
            rows += run_size(a, size, work, binary, floor, peers, sts_url)
        info["load_after"] = os.getloadavg()
    finally:
        if server:
            server.shutdown()
        shutil.rmtree(work, ignore_errors=True)

    with open(os.path.join(a.out, "peers.json"), "w") as f:
        json.dump({"machine": info, "peers": peers, "rows": rows, "ratios": ratios(rows),
                   "runs": a.runs, "peer_runs": a.peer_runs}, f, indent=1)
    report(a, rows, peers, info)


def report(a, rows, peers, info):
    os.makedirs(a.out, exist_ok=True)
    svg_chart(rows, os.path.join(a.out, "peers.svg"))
    text = markdown(rows, peers, info, a)
    with open(os.path.join(a.out, "peers.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()

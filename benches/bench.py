#!/usr/bin/env python3
"""Time awsuse against a process that does nothing and against what Python tools pay.

Generates AWS trees of several sizes with gen_aws_config.py, then runs each command many times
in a fresh process and reports the median wall time, the spread (10th to 90th percentile) and
the peak resident memory of the command (from GNU time). Results are printed as a Markdown
table and written as JSON.

Usage: bench.py --bin target/release/awsuse [--sizes 10,1000,10000] [--runs 40] [--out DIR]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_kib(argv, env, runs=3):
    """Peak resident memory of `argv`, read by GNU time. A child spawned straight from Python
    would report Python's own high-water mark, which exec does not reset."""
    with tempfile.NamedTemporaryFile("r") as out:
        peak = 0
        for _ in range(runs):
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + argv, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            out.seek(0)
            peak = max(peak, int(out.read().split()[-1]))
    return peak


def run_once(argv, env, devnull):
    """Wall and CPU (user + system) milliseconds of one fresh process running `argv`."""
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("benchmark command failed: %s" % " ".join(argv))
    return elapsed * 1e3, (usage.ru_utime + usage.ru_stime) * 1e3


def summary(times, cpu):
    times = sorted(times)
    q = statistics.quantiles(times, n=10)
    return {"median_ms": statistics.median(times), "p10_ms": q[0], "p90_ms": q[-1],
            "cpu_ms": statistics.median(cpu), "runs": len(times)}


def measure_together(cases, env, runs, warmup=3):
    """Runs every case `runs` times (after `warmup`), taking turns: the machine's speed
    changes from minute to minute, and taking turns makes a change fall on every case alike.
    Returns each case's median, p10 and p90 wall time, median CPU time and peak memory."""
    times = {label: ([], []) for label, _ in cases}
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for i in range(warmup + runs):
            for label, argv in cases:
                wall, cpu = run_once(argv, env, devnull)
                if i >= warmup:
                    times[label][0].append(wall)
                    times[label][1].append(cpu)
    finally:
        os.close(devnull)
    results = {}
    for label, argv in cases:
        results[label] = summary(*times[label])
        results[label]["peak_kib"] = peak_kib(argv, env)
    return results


def tree(root, size):
    aws = os.path.join(root, "n%d" % size, ".aws")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_aws_config.py"), "--profiles",
                    str(size), "--out", aws, "--seed", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(aws, "manifest.json")) as f:
        manifest = json.load(f)
    return os.path.dirname(aws), manifest


# A role that needs no MFA code, added to every tree: awsuse switches to it with AWS_PROFILE
# and no network. The generator's own bench-role needs an MFA code, hence a call to STS.
NO_MFA_ROLE = "bench-role-nomfa"


def add_no_mfa_role(home, targets):
    with open(os.path.join(home, ".aws", "config"), "a") as f:
        f.write("\n[profile %s]\nrole_arn = arn:aws:iam::141777631706:role/ReadOnly\n"
                "source_profile = %s\nregion = eu-west-1\n" % (NO_MFA_ROLE, targets["static"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--sizes", default="10,1000,10000")
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--out", default="bench-out")
    ap.add_argument("--python", default=sys.executable,
                    help="a Python with boto3, for the comparison")
    a = ap.parse_args()

    binary = os.path.abspath(a.bin)
    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="awsuse-bench-")
    has_boto3 = subprocess.run([a.python, "-c", "import boto3"],
                               stderr=subprocess.DEVNULL).returncode == 0
    true = shutil.which("true")
    results = []
    try:
        for size in [int(s) for s in a.sizes.split(",")]:
            home, manifest = tree(work, size)
            state = os.path.join(home, "state")
            env = {"HOME": home, "PATH": os.environ.get("PATH", ""), "AWSUSE_STATE_DIR": state}
            targets = manifest["targets"]
            add_no_mfa_role(home, targets)
            size_bytes = sum(manifest["bytes"].values())
            cases = [
                ("true (a process that does nothing)", [true]),
                ("awsuse use static --shell bash",
                 [binary, "use", targets["static"], "--shell", "bash"]),
                ("awsuse use role (no MFA) --shell bash",
                 [binary, "use", NO_MFA_ROLE, "--shell", "bash"]),
                ("awsuse list --names", [binary, "list", "--names"]),
            ]
            init = os.path.join(home, "init.bash")
            with open(init, "wb") as f:
                f.write(subprocess.run([binary, "init", "bash"], check=True,
                                       stdout=subprocess.PIPE).stdout)
            # Tab after `awsuse use `: the bash completion function with its call to the binary,
            # beside a bash that only sources the integration.
            env["PATH"] = os.path.dirname(binary) + ":" + env["PATH"]
            cases += [
                ("bash: source init only", ["bash", "--norc", "-c", ". %s" % init]),
                ("bash: source init, Tab after use", ["bash", "--norc", "-c",
                 ". %s; COMP_WORDS=(awsuse use ''); COMP_CWORD=2; __awsuse_complete awsuse '' use"
                 % init]),
                # The same with one letter typed, as people do before pressing Tab among many.
                ("bash: source init, Tab after use a", ["bash", "--norc", "-c",
                 ". %s; COMP_WORDS=(awsuse use a); COMP_CWORD=2; __awsuse_complete awsuse a use"
                 % init]),
            ]
            if has_boto3:
                cases.append(("boto3 available_profiles", [
                    a.python, "-c", "import boto3; print(boto3.Session().available_profiles)"]))
            else:
                print("boto3 is not importable by %s: its row is left out" % a.python,
                      file=sys.stderr)
            # boto3 takes a second a run: fewer runs, after the others, as a yardstick of how
            # fast the machine was.
            quick = [(label, argv) for label, argv in cases if not label.startswith("boto3")]
            slow = [(label, argv) for label, argv in cases if label.startswith("boto3")]
            measured = measure_together(quick, env, a.runs)
            measured.update(measure_together(slow, env, max(5, a.runs // 8), warmup=1))
            for label, _ in cases:
                r = measured[label]
                r.update({"profiles": size, "bytes": size_bytes, "case": label})
                results.append(r)
                print("%6d profiles  %-38s median %8.2f ms  p10-p90 %7.2f-%7.2f ms  cpu %7.2f ms"
                      "  peak %6.1f MiB" % (size, label, r["median_ms"], r["p10_ms"],
                                            r["p90_ms"], r["cpu_ms"], r["peak_kib"] / 1024),
                      file=sys.stderr)
            tab_costs(init, env, size, size_bytes, results)
        prompt_costs(binary, results)
        first_draw(binary, work, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("| profiles | file size | command | median | p10 to p90 | CPU (median) | peak memory |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        cpu = "%.2f ms" % r["cpu_ms"] if "cpu_ms" in r else "-"
        print("| %d | %.0f KiB | %s | %.2f ms | %.2f to %.2f ms | %s | %.1f MiB |" % (
            r["profiles"], r["bytes"] / 1024, r["case"], r["median_ms"], r["p10_ms"],
            r["p90_ms"], cpu, r["peak_kib"] / 1024))


def tab_costs(init, env, size, size_bytes, results, n=20):
    """Milliseconds per Tab after `awsuse use ` in a running bash: the completion function
    called `n` times in a loop, less the same loop without it, so that starting bash and
    sourcing the integration are not counted."""
    for typed in ("", "a"):
        call = "COMP_WORDS=(awsuse use '%s'); COMP_CWORD=2; __awsuse_complete awsuse '%s' use" % (
            typed, typed)
        loops = [(label, ["bash", "--norc", "-c", ". %s; for ((i = 0; i < %d; i++)); do %s; done"
                          % (init, n, body)])
                 for label, body in (("none", ":"), ("tab", call))]
        measured = measure_together(loops, env, 5, warmup=1)
        per = {label: r["median_ms"] / n for label, r in measured.items()}
        cost = per["tab"] - per["none"]
        label = "bash: one Tab after use%s (in a running shell)" % (" " + typed if typed else "")
        results.append({"case": label, "profiles": size, "bytes": size_bytes,
                        "median_ms": cost, "p10_ms": cost, "p90_ms": cost,
                        "peak_kib": measured["tab"]["peak_kib"], "runs": n})
        print("%6d profiles  %-38s %.2f ms per Tab" % (size, label, cost), file=sys.stderr)


PROMPT_LOOPS = {
    "bash": "for ((i = 0; i < {n}; i++)); do {call}; done",
    "zsh": "for ((i = 0; i < {n}; i++)); do {call}; done",
    "fish": "for i in (seq {n}); {call}; end",
}
SHELL_ARGS = {"bash": ["--norc", "--noprofile"], "zsh": ["-f"], "fish": ["--no-config"]}


def prompt_costs(binary, results, n=2000):
    """Microseconds per prompt of the segment function in each shell, beside an empty one."""
    env = {"PATH": os.environ.get("PATH", ""), "AWS_PROFILE": "prod", "AWS_REGION": "cn-north-1",
           "AWSUSE_PARTITION": "aws-cn", "HOME": "/nonexistent"}
    for shell in ("bash", "zsh", "fish"):
        if not shutil.which(shell):
            continue
        init = subprocess.run([binary, "init", shell], check=True, stdout=subprocess.PIPE).stdout
        source = "%s | source" if shell == "fish" else 'eval "$(%s)"'
        load = source % ("%s init %s" % (binary, shell))
        loops = [(label, [shell] + SHELL_ARGS[shell] + ["-c", "%s\n%s" % (
            load, PROMPT_LOOPS[shell].format(n=n, call=call))])
            for label, call in (("none", "true"), ("segment", "__awsuse_prompt_update"))]
        measured = measure_together(loops, env, 5, warmup=1)
        per = {label: r["median_ms"] * 1e3 / n for label, r in measured.items()}
        cost = per["segment"] - per["none"]
        results.append({"case": "%s prompt segment per prompt" % shell, "profiles": 0,
                        "bytes": len(init), "median_ms": cost / 1e3, "p10_ms": cost / 1e3,
                        "p90_ms": cost / 1e3, "peak_kib": 0, "runs": n})
        print("%s prompt segment: %.1f us per prompt (empty loop %.1f us)"
              % (shell, cost, per["none"]), file=sys.stderr)


def first_draw(binary, work, results, size=10000, runs=10):
    """Milliseconds from starting `awsuse choose` on a pty to the picker's first draw."""
    import pty
    import select
    import signal
    home, _ = tree(work, size) if not os.path.isdir(os.path.join(work, "n%d" % size)) \
        else (os.path.join(work, "n%d" % size), None)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.clear()
            os.environ.update({"HOME": home, "TERM": "xterm", "AWSUSE_STATE_DIR":
                               os.path.join(home, "state"), "PATH": "/usr/bin:/bin"})
            os.execv(binary, [binary, "choose", "--no-validate"])
        seen = b""
        while b"AWS profile" not in seen:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                raise SystemExit("choose did not draw within 10 s")
            seen += os.read(fd, 65536)
        times.append((time.perf_counter() - start) * 1e3)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    times.sort()
    median = statistics.median(times)
    results.append({"case": "awsuse choose: first draw", "profiles": size, "bytes": 0,
                    "median_ms": median, "p10_ms": times[0], "p90_ms": times[-1],
                    "peak_kib": 0, "runs": runs})
    print("choose first draw at %d profiles: median %.1f ms" % (size, median), file=sys.stderr)


if __name__ == "__main__":
    main()

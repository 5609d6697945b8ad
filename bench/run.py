#!/usr/bin/env python3
"""What one devidence run costs this computer, measured with the release binary.

Prints, each with how it was measured:
  1. `devidence collect` (probes, render, write) and `devidence check` (the same probes and
     commands, nothing rendered) wall and CPU time (min / median of --runs runs) against two plain
     shell scripts generated from the same run's findings.json: one running the same external
     commands one after another (the floor the OS imposes), one that also reads the same files
     and folders with cat and ls (what an admin's script would do);
  2. peak RSS of the agent process itself (its own VmHWM, logged at exit) and of the whole run
     including the commands it starts (wait4's ru_maxrss: the largest process of the tree);
  3. peak RSS of a scheduled background run (`devidence run --scheduled --background`, what the
     daemon, timer, LaunchDaemon and scheduled task start) uploading to fake Drata on 127.0.0.1,
     and for it and `collect` the anonymous / file-backed split at the peak (sampled every
     0.5 ms from /proc/<pid>/status, in separate runs so the sampling does not slow the timed ones);
  4. peak and current RSS of an idle `devidence daemon` a few seconds after its first run;
  5. the size of the stripped release binary.

Usage (from the repository root):
    python3 bench/run.py [--runs N] [--binary PATH] [--no-build]
It builds `cargo build --release -p devidence -p fake-drata` first unless --no-build or --binary
is given; the background runs need the fake-drata binary beside devidence (--fake PATH otherwise).
Standard library only; Linux only (it reads /proc).
"""

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_measured(argv, env=None):
    """Runs argv to completion; returns (wall s, cpu s, maxrss kB, stderr text, exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss, stderr.decode(errors="replace"), proc.returncode


def sampled_peak(argv, env):
    """Runs argv, polling /proc/<pid>/status; returns (VmRSS, RssAnon, RssFile) in kB at the
    largest VmRSS seen, the exit code and stderr (kept in a file, so a chatty run cannot fill a
    pipe and stall)."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        best = (0, 0, 0)
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    status = f.read()
            except OSError:
                break
            fields = dict(re.findall(r"^(VmRSS|RssAnon|RssFile):\s+(\d+)", status, re.M))
            if "VmRSS" in fields and int(fields["VmRSS"]) > best[0]:
                best = (int(fields["VmRSS"]), int(fields["RssAnon"]), int(fields["RssFile"]))
            time.sleep(0.0005)
        proc.wait()
        err.seek(0)
        return best, proc.returncode, err.read().decode(errors="replace")


def start_fake_drata(fake, key):
    """Starts fake Drata on a free loopback port; returns (process, base URL)."""
    proc = subprocess.Popen([fake, "--api-key", key, "--device", "808"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        sys.exit(f"fake-drata did not start ({fake})")
    return proc, url


def background_run_env(env, work, url, key, i):
    """The environment of one scheduled background run with a fresh data folder (so every run
    renders and uploads: a run whose verdicts were delivered recently uploads nothing)."""
    run_env = dict(env)
    run_env.update(
        DRATA_API_KEY=key,
        DEVIDENCE_API_URL=url,
        DEVIDENCE_DEVICE_ID="808",
        DEVIDENCE_DATA_DIR=os.path.join(work, f"bg-data{i}"),
        DEVIDENCE_LOG_DIR=os.path.join(work, f"bg-log{i}"),
    )
    return run_env


def logged_peak(log_dir):
    """The agent's own VmHWM (kB) from the resource-use line in its log folder, or None."""
    for name in os.listdir(log_dir) if os.path.isdir(log_dir) else []:
        with open(os.path.join(log_dir, name), errors="replace") as log:
            peak = re.search(r"peak_rss_kb=(\d+)", log.read())
        if peak:
            return int(peak.group(1))
    return None


def memory_split(label, rows):
    """Prints min / median / max of the sampled peaks and the split at the median run."""
    rows = sorted(rows)
    mid = rows[len(rows) // 2]
    print(f"{label}: peak RSS min {rows[0][0]} kB, median {mid[0]} kB, max {rows[-1][0]} kB; "
          f"at the median run {mid[1]} kB anonymous + {mid[2]} kB file-backed")


def shell_scripts(findings_path, out_dir):
    """Writes the two baseline scripts for the observations in findings.json."""
    with open(findings_path) as f:
        bundle = json.load(f)
    commands, everything = [], []
    for finding in bundle["findings"]:
        for obs in finding["observations"]:
            source, kind = obs["source"], obs["kind"]
            if kind == "command":
                line = f"{source} >/dev/null 2>&1"
                commands.append(line)
                everything.append(line)
            elif kind == "file":
                everything.append(f"cat {shlex.quote(source)} >/dev/null 2>&1")
            elif kind == "directory":
                everything.append(f"ls -a {shlex.quote(source)} >/dev/null 2>&1")
    paths = []
    for name, lines in (("commands-only.sh", commands), ("commands-files-folders.sh", everything)):
        path = os.path.join(out_dir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n# generated by bench/run.py from " + findings_path + "\n")
            f.write("\n".join(lines) + "\n")
        paths.append((path, len(lines)))
    return paths


def summary(values):
    return min(values), statistics.median(values)


def fmt_ms(seconds):
    return f"{seconds * 1000:7.1f} ms"


def idle_daemon_rss(binary, work):
    """Starts the daemon, lets its first run (splay 0) finish, then reads its memory."""
    env = dict(os.environ)
    env.update(
        DEVIDENCE_DATA_DIR=os.path.join(work, "daemon-data"),
        DEVIDENCE_LOG_DIR=os.path.join(work, "daemon-log"),
        DEVIDENCE_INTERVAL_SECONDS="86400",
        DEVIDENCE_SPLAY_SECONDS="0",
        DEVIDENCE_RETRY_SECONDS="86400",
    )
    # With no splay the first run starts at once, as a child process; the daemon's own memory
    # is what is measured, after the child is gone.
    proc = subprocess.Popen([binary, "daemon"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        # The first run (splay 0) starts at once; wait until the daemon logs its end.
        log_dir = env["DEVIDENCE_LOG_DIR"]
        deadline = time.time() + 60
        seen_child = False
        while time.time() < deadline and not seen_child:
            time.sleep(0.5)
            for name in os.listdir(log_dir) if os.path.isdir(log_dir) else []:
                with open(os.path.join(log_dir, name), errors="replace") as log:
                    text = log.read()
                if "run finished" in text or "evidence waits" in text:
                    seen_child = True
        time.sleep(3)
        status = open(f"/proc/{proc.pid}/status").read()
        fields = {k: int(v) for k, v in
                  re.findall(r"^(VmHWM|VmRSS|RssAnon|RssFile|Threads):\s+(\d+)", status, re.M)}
        return fields, seen_child
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--binary")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--fake", help="the fake-drata binary (default: beside devidence)")
    parser.add_argument("--memory-runs", type=int, default=7)
    args = parser.parse_args()

    binary = args.binary or os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "devidence")
    if not args.binary and not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "devidence", "-p", "fake-drata"],
                       cwd=ROOT, check=True)
    fake = args.fake or os.path.join(os.path.dirname(binary), "fake-drata")

    print(f"machine: {os.cpu_count()} logical CPUs, {os.uname().sysname} {os.uname().release}, "
          f"{open('/proc/loadavg').read().split()[0]} load; binary {binary}")
    size = os.path.getsize(binary)
    print(f"\n## binary size\nstripped release binary: {size} bytes ({size / 1e6:.2f} MB)")

    with tempfile.TemporaryDirectory(prefix="devidence-bench-") as work:
        env = dict(os.environ)
        env["DEVIDENCE_LOG"] = "warn,devidence::resource_use=debug"
        env["DEVIDENCE_DATA_DIR"] = os.path.join(work, "data")
        first = os.path.join(work, "first")
        subprocess.run([binary, "collect", "--out", first], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        scripts = shell_scripts(os.path.join(first, "findings.json"), work)

        results = {"devidence collect": [], "devidence check": []}
        for path, _ in scripts:
            results[os.path.basename(path)] = []
        own_peaks = []
        for i in range(args.runs):
            out = os.path.join(work, f"run{i}")
            wall, cpu, tree_rss, stderr, code = run_measured(
                [binary, "collect", "--out", out], env)
            if code not in (0, 1):
                sys.exit(f"devidence collect failed ({code}):\n{stderr}")
            peak = re.search(r"peak_rss_kb=(\d+)", stderr)
            if peak:
                own_peaks.append(int(peak.group(1)))
            results["devidence collect"].append((wall, cpu, tree_rss))
            # The same probes and commands without rendering or writing evidence.
            wall, cpu, tree_rss, stderr, code = run_measured([binary, "check"], env)
            if code not in (0, 1):
                sys.exit(f"devidence check failed ({code}):\n{stderr}")
            results["devidence check"].append((wall, cpu, tree_rss))
            for path, _ in scripts:
                results[os.path.basename(path)].append(run_measured(["/bin/sh", path])[:3])

        print(f"\n## collect against a plain shell script ({args.runs} runs each, interleaved)")
        print(f"{'':28} {'wall min':>10} {'wall median':>12} {'CPU min':>10} {'CPU median':>11}"
              f" {'tree peak RSS':>14}")
        medians = {}
        for name, rows in results.items():
            wall_min, wall_med = summary([r[0] for r in rows])
            cpu_min, cpu_med = summary([r[1] for r in rows])
            medians[name] = (wall_med, cpu_med)
            label = name
            for path, count in scripts:
                if os.path.basename(path) == name:
                    label = f"{name} ({count})"
            print(f"{label:28} {fmt_ms(wall_min):>10} {fmt_ms(wall_med):>12} {fmt_ms(cpu_min):>10}"
                  f" {fmt_ms(cpu_med):>11} {max(r[2] for r in rows):>11} kB")
        for command in ("devidence collect", "devidence check"):
            agent = medians[command]
            for path, _ in scripts:
                name = os.path.basename(path)
                wall, cpu = medians[name]
                print(f"ratio {command} / {name}: wall {agent[0] / wall:.2f}x, "
                      f"CPU {agent[1] / cpu:.2f}x (medians)")
        if own_peaks:
            print(f"\n## peak RSS of the agent process itself (VmHWM at exit, {len(own_peaks)} runs)")
            print(f"min {min(own_peaks)} kB, median {statistics.median(own_peaks):.0f} kB, "
                  f"max {max(own_peaks)} kB")

        # A scheduled background run uploading to fake Drata, and the anonymous / file-backed
        # split at the peak of it and of collect (sampled runs, not the timed ones above).
        key = "bench-key-not-a-secret"
        server, url = start_fake_drata(fake, key)
        try:
            background, own_background, collect_split = [], [], []
            for i in range(args.memory_runs):
                run_env = background_run_env(env, work, url, key, i)
                split, code, stderr = sampled_peak(
                    [binary, "run", "--scheduled", "--background", "--out",
                     os.path.join(work, f"bg{i}")], run_env)
                if code != 0:
                    sys.exit(f"devidence run --scheduled --background failed ({code}):\n{stderr}")
                background.append(split)
                # A background run logs to its log folder, not stderr.
                own = logged_peak(run_env["DEVIDENCE_LOG_DIR"])
                if own:
                    own_background.append(own)
                split, code, stderr = sampled_peak(
                    [binary, "collect", "--out", os.path.join(work, f"split{i}")], env)
                if code not in (0, 1):
                    sys.exit(f"devidence collect failed ({code}):\n{stderr}")
                collect_split.append(split)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"\n## memory at the peak ({args.memory_runs} sampled runs each)")
        if own_background:
            print(f"run --scheduled --background (upload to fake Drata): own VmHWM min "
                  f"{min(own_background)} kB, median {statistics.median(own_background):.0f} kB, "
                  f"max {max(own_background)} kB")
        memory_split("run --scheduled --background, sampled", background)
        memory_split("collect, sampled", collect_split)

        fields, ran = idle_daemon_rss(binary, work)
        print("\n## idle daemon (3 s after its first run ended)")
        print(f"peak RSS (VmHWM) {fields['VmHWM']} kB, current RSS {fields['VmRSS']} kB "
              f"(anonymous {fields['RssAnon']} kB, file-backed {fields['RssFile']} kB), "
              f"{fields['Threads']} threads{'' if ran else ' (no run was seen)'}")


if __name__ == "__main__":
    main()

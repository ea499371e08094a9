#!/usr/bin/env python3
"""Writes SpamAssassin's own verdicts on the development corpus: the oracle of the parity test.

Starts `spamd -L` (local tests only: no DNS, no Bayes, so score set 0) on a loopback port chosen
at run time, with the stock rules of /usr/share/spamassassin and the plugins of the installed
/etc/spamassassin/*.pre files, feeds it every message of the named corpus groups through `spamc`
and writes one tab-separated line per message: group/file, verdict (spam or ham), score and the
rules that hit, read from the X-Spam-Status field spamd adds. The first lines are comments naming
the SpamAssassin version and the settings. spamd is stopped at the end, also on failure.

    tests/support/spamassassin-reference.py CORPUS_DIR OUT_FILE [GROUP...]
"""
import concurrent.futures
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

LOCAL_CF = "use_bayes 0\nskip_rbl_checks 1\ndns_available no\n"
DEFAULT_GROUPS = ["easy-ham-1", "spam-1"]
STATUS = re.compile(rb"^X-Spam-Status: (Yes|No), score=(-?[\d.]+) required=[\d.]+ tests=(\S*)", re.M)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spamassassin_version():
    out = subprocess.run(["spamd", "--version"], capture_output=True, text=True, check=True)
    match = re.search(r"version (\S+)", out.stdout)
    return match.group(1) if match else "unknown"


def site_config(directory):
    for pre in glob.glob("/etc/spamassassin/*.pre"):
        shutil.copy(pre, directory)
    with open(os.path.join(directory, "local.cf"), "w") as f:
        f.write(LOCAL_CF)


def wait_listening(port, process, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("spamd exited with status %d" % process.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("spamd did not listen on port %d within %d s" % (port, seconds))


def classify(port, path):
    with open(path, "rb") as f:
        message = f.read()
    out = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), "-s", "67108864"],
                         input=message, capture_output=True, check=True).stdout
    headers = out.split(b"\n\n", 1)[0]
    # Unfold: spamd folds the rule list after its commas and elsewhere at spaces.
    headers = re.sub(rb"\r?\n[ \t]+", b" ", re.sub(rb",\r?\n[ \t]+", b",", headers))
    match = STATUS.search(headers)
    if not match:
        raise RuntimeError("%s: spamd's reply has no X-Spam-Status field" % path)
    tests = match.group(3).decode()
    if tests == "none":  # what spamd writes when no rule hit
        tests = ""
    verdict = "spam" if match.group(1) == b"Yes" else "ham"
    return verdict, match.group(2).decode(), ",".join(t for t in tests.split(",") if t)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    corpus, out_file, groups = sys.argv[1], sys.argv[2], sys.argv[3:] or DEFAULT_GROUPS
    workers = max(1, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="sa-reference-") as tmp:
        os.chmod(tmp, 0o755)  # spamd reads it as user nobody
        site_config(tmp)
        port = free_port()
        spamd = subprocess.Popen(
            ["spamd", "-L", "--listen=127.0.0.1:%d" % port, "--siteconfigpath=" + tmp,
             "--max-children=%d" % workers, "--min-children=%d" % workers,
             "--pidfile=" + os.path.join(tmp, "spamd.pid"), "--syslog=stderr", "-u", "nobody"],
            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        try:
            wait_listening(port, spamd)
            files = []
            for group in groups:
                files += sorted(glob.glob(os.path.join(corpus, group, "*.txt")))
            if not files:
                raise RuntimeError("no messages under %s for groups %s" % (corpus, groups))
            with concurrent.futures.ThreadPoolExecutor(workers) as pool:
                results = list(pool.map(lambda p: classify(port, p), files))
        finally:
            spamd.send_signal(signal.SIGTERM)
            spamd.wait(timeout=60)
    with open(out_file, "w") as out:
        out.write("# SpamAssassin %s, spamd -L (score set 0), %s\n"
                  % (spamassassin_version(), LOCAL_CF.strip().replace("\n", "; ")))
        out.write("# file\tverdict\tscore\trules\n")
        for path, (verdict, score, tests) in zip(files, results):
            name = os.path.relpath(path, corpus)
            out.write("%s\t%s\t%s\t%s\n" % (name, verdict, score, tests))
    print("%s: %d messages" % (out_file, len(files)))


if __name__ == "__main__":
    main()

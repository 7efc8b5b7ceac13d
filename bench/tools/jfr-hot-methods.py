#!/usr/bin/env python3
"""Hot methods of a Java Flight Recorder file, from its execution samples.

Usage: bench/tools/jfr-hot-methods.py <file.jfr> [top=15] [thread-name-part]

Prints the share of samples per thread, then the hottest methods by self samples (top frame) and by inclusive
samples (anywhere on the stack, counted once per sample). With a thread-name part (such as "consumer" or
"Executor"), only that thread's samples count, so recordings made under different machine load can be compared by
proportions within one thread. Needs the JDK's `jfr` tool on the PATH.
"""
import collections
import json
import subprocess
import sys


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    only = sys.argv[3] if len(sys.argv) > 3 else None
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "96", "--events", "jdk.ExecutionSample", path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(out)["recording"]["events"]
    own, inclusive, threads = collections.Counter(), collections.Counter(), collections.Counter()
    for event in events:
        trace = event["values"].get("stackTrace")
        frames = trace["frames"] if trace else []
        names = [f["method"]["type"]["name"].split(".")[-1] + "." + f["method"]["name"] for f in frames]
        thread = event["values"]["sampledThread"]
        name = (thread.get("javaName") or thread.get("osName") or "?") if thread else "?"
        name = "".join("#" if c.isdigit() else c for c in name)
        if only and only not in name:
            continue
        threads[name] += 1
        if names:
            own[names[0]] += 1
        for method in set(names):
            inclusive[method] += 1
    total = max(1, sum(threads.values()))
    print(f"{path}: {total} samples")
    print("threads:", ", ".join(f"{k} {v * 100 / total:.0f}%" for k, v in threads.most_common(8)))
    print("self:")
    for method, count in own.most_common(top):
        print(f"  {count * 100 / total:5.1f}% {method}")
    print("inclusive:")
    for method, count in inclusive.most_common(top * 3):
        print(f"  {count * 100 / total:5.1f}% {method}")


if __name__ == "__main__":
    main()

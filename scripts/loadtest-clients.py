#!/usr/bin/env python3
"""The clients of `scripts/loadtest --abuse` (loopback only, bounded).

Well-behaved clients: each its own X-Forwarded-For address, one keep-alive
connection, one inspect every 0.25 s (4/s, under the per-client rate of 10/s)
for a fixed number of requests. Phase 1 runs them alone (the unloaded
figure); phase 2 runs them again while one abusive client (one address, 16
connections) sends requests as fast as it can until they are done. Prints
the medians, p95s and status counts; exits 1 unless the abusive client got
429s, no well-behaved request failed, and the loaded median is within 2x of
the unloaded one.
"""
import argparse
import http.client
import multiprocessing
import os
import statistics
import sys
import threading
import time
import urllib.parse

PER_CLIENT = 20          # requests of one well-behaved client per phase
INTERVAL = 0.25          # seconds between them
ABUSERS = 16             # connections of the abusive client
ABUSER_PROCESSES = 4     # its own processes (no GIL shared with the measured clients)
ABUSE_CAP = 25_000       # requests one abusive process may send


def connect(url):
    parsed = urllib.parse.urlsplit(url)
    assert parsed.hostname in ("127.0.0.1", "::1", "localhost"), "loopback only"
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)


def get(conn_box, url, path, address):
    """One GET; (status, seconds). Reconnects once if the server closed."""
    for attempt in (0, 1):
        try:
            start = time.perf_counter()
            conn_box[0].request("GET", path, headers={"X-Forwarded-For": address})
            resp = conn_box[0].getresponse()
            resp.read()
            took = time.perf_counter() - start
            if resp.getheader("connection", "").lower() == "close":
                conn_box[0].close()
                conn_box[0] = connect(url)
            return resp.status, took
        except (http.client.HTTPException, OSError):
            conn_box[0].close()
            conn_box[0] = connect(url)
            if attempt:
                return 0, 0.0
    return 0, 0.0


def well_behaved(url, refs, index, deadline, out):
    address = f"198.51.100.{index + 1}"
    box = [connect(url)]
    for i in range(PER_CLIENT):
        if time.monotonic() > deadline:
            break
        ref = refs[(index + i) % len(refs)]
        path = "/api/v1/inspect?ref=" + urllib.parse.quote(ref, safe="")
        status, took = get(box, url, path, address)
        out.append((status, took))
        time.sleep(INTERVAL)
    box[0].close()


def abusive(url, refs, stop, deadline, counts, lock):
    box = [connect(url)]
    i = 0
    while not stop.is_set() and time.monotonic() < deadline:
        with lock:
            if sum(counts.values()) >= ABUSE_CAP:
                break
        path = "/api/v1/inspect?ref=" + urllib.parse.quote(refs[i % len(refs)], safe="")
        status, _ = get(box, url, path, "203.0.113.66")
        with lock:
            counts[status] = counts.get(status, 0) + 1
        i += 1
    box[0].close()


def abusive_process(url, refs, stop, seconds, queue):
    """One process of the abusive client: ABUSERS / ABUSER_PROCESSES connections.

    At the lowest CPU priority: on one machine the abusive client's own
    work competes with the server and the measured clients, which a real
    abusive client (on its own machine) does not; the server still gets
    every request it manages to send."""
    os.nice(19)
    deadline = time.monotonic() + seconds
    counts, lock = {}, threading.Lock()
    threads = [threading.Thread(target=abusive, args=(url, refs, stop, deadline, counts, lock))
               for _ in range(ABUSERS // ABUSER_PROCESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(counts)


def phase(url, refs, clients, seconds, abuse):
    deadline = time.monotonic() + seconds
    results = [[] for _ in range(clients)]
    stop = multiprocessing.Event()
    queue = multiprocessing.Queue()
    abusers = []
    if abuse:
        abusers = [multiprocessing.Process(target=abusive_process, args=(url, refs, stop, seconds, queue))
                   for _ in range(ABUSER_PROCESSES)]
        for p in abusers:
            p.start()
        time.sleep(1.0)  # the abuse is under way before the measured clients start
    started = time.monotonic()
    honest = [threading.Thread(target=well_behaved, args=(url, refs, i, deadline, results[i]))
              for i in range(clients)]
    for t in honest:
        t.start()
    for t in honest:
        t.join()
    elapsed = time.monotonic() - started
    stop.set()
    counts = {}
    for _ in abusers:
        for status, n in queue.get(timeout=seconds + 30).items():
            counts[status] = counts.get(status, 0) + n
    for p in abusers:
        p.join()
    flat = [r for rs in results for r in rs]
    return flat, counts, elapsed


def describe(name, flat):
    times = sorted(t for s, t in flat if s == 200)
    statuses = {}
    for s, _ in flat:
        statuses[s] = statuses.get(s, 0) + 1
    if not times:
        print(f"{name}: no successful request; statuses {statuses}")
        return None
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{name}: {len(flat)} requests, statuses {statuses}, median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    return median


def capacity_process(url, refs, seconds, connections, queue):
    """Keep-alive connections inspecting back to back (niced, see above)."""
    os.nice(19)
    deadline = time.monotonic() + seconds
    results, lock = [], threading.Lock()

    def worker(n):
        box = [connect(url)]
        i = n
        mine = []
        while time.monotonic() < deadline and len(mine) < ABUSE_CAP:
            path = "/api/v1/inspect?ref=" + urllib.parse.quote(refs[i % len(refs)], safe="")
            mine.append(get(box, url, path, f"192.0.2.{n % 250 + 1}"))
            i += 1
        box[0].close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(results)


def capacity(url, refs, seconds, connections):
    """Warm inspects as fast as `connections` keep-alive connections go."""
    queue = multiprocessing.Queue()
    per = max(1, connections // ABUSER_PROCESSES)
    procs = [multiprocessing.Process(target=capacity_process, args=(url, refs, seconds, per, queue))
             for _ in range(ABUSER_PROCESSES)]
    start = time.monotonic()
    for p in procs:
        p.start()
    flat = []
    for _ in procs:
        flat.extend(queue.get(timeout=seconds + 60))
    for p in procs:
        p.join()
    elapsed = time.monotonic() - start
    ok = sum(1 for st, _ in flat if st == 200)
    describe(f"capacity ({per * ABUSER_PROCESSES} connections)", flat)
    print(f"throughput: {ok / elapsed:.0f} warm inspects/s answered 200 over {elapsed:.1f} s")
    sys.exit(0 if ok == len(flat) and ok > 0 else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("refs")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--capacity", type=int, default=0, metavar="CONNECTIONS")
    args = ap.parse_args()
    refs = [line.strip() for line in open(args.refs) if line.strip()]
    if args.capacity:
        capacity(args.url, refs, max(5, min(args.seconds, 120)), max(1, min(args.capacity, 256)))
    clients = max(1, min(args.clients, 200))
    seconds = max(5, args.seconds)

    # Warm the cache the way a running instance is warm.
    warm = [connect(args.url)]
    for ref in refs:
        get(warm, args.url, "/api/v1/inspect?ref=" + urllib.parse.quote(ref, safe=""), "192.0.2.1")
    warm[0].close()

    unloaded, _, _ = phase(args.url, refs, clients, seconds, abuse=False)
    base = describe("unloaded  (well-behaved)", unloaded)
    loaded, abuse_counts, elapsed = phase(args.url, refs, clients, seconds, abuse=True)
    under = describe("with abuse (well-behaved)", loaded)
    sent = sum(abuse_counts.values())
    print(f"abusive client: {sent} requests in {elapsed:.1f} s ({sent / max(elapsed, 0.001):.0f}/s), statuses {dict(sorted(abuse_counts.items()))}")
    failures = []
    if abuse_counts.get(429, 0) == 0:
        failures.append("the abusive client got no 429")
    bad = [s for s, _ in unloaded + loaded if s != 200]
    if bad:
        failures.append(f"{len(bad)} well-behaved requests failed: {sorted(set(bad))}")
    if base is None or under is None:
        failures.append("no latency figure")
    elif under > 2 * base:
        failures.append(f"median under abuse {under * 1000:.1f} ms > 2 x {base * 1000:.1f} ms")
    else:
        print(f"ratio:      {under / base:.2f}x the unloaded median (limit 2x)")
    for f in failures:
        print("loadtest: FAILED: " + f, file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

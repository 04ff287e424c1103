#!/usr/bin/env python3
"""Floods a running producer from one API key and measures what it costs and whether another key is still served.

    flood.py --port P --pid PID --attacker KEY --victim KEY --case CASE [--video ID]

Cases: header (a 256 MiB part header that never ends, chunked), fields (20,000 form fields of 16 KiB),
idle (2,000 idle connections), sse (500 SSE streams), none (no flood: the baseline).
While the flood runs, the victim key uploads small videos one after another; the script prints one JSON line:
the case, the producer's peak RSS (VmHWM, MiB), the victim's uploads per second, what the attacker got back.
Every loop is bounded in count and time; all traffic goes to 127.0.0.1.
"""
import argparse
import json
import os
import socket
import threading
import time

BOUNDARY = "vqflood"


def vmhwm_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def connect(port, timeout=10):
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return sock


def head(key, path="/v1/videos", content_type=f"multipart/form-data; boundary={BOUNDARY}", chunked=True, method="POST"):
    text = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: {content_type}\r\n"
    if chunked:
        text += "Transfer-Encoding: chunked\r\n"
    return (text + "\r\n").encode()


def chunk(data):
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def status_of(sock):
    sock.settimeout(10)
    data = b""
    try:
        while b"\r\n" not in data:
            piece = sock.recv(4096)
            if not piece:
                break
            data += piece
    except OSError:
        pass
    line = data.split(b"\r\n", 1)[0].decode(errors="replace")
    parts = line.split(" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def stream_body(port, key, prefix, filler, total):
    """Sends prefix then filler chunks until `total` bytes or until the server answers/closes; returns (status, sent)."""
    sock = connect(port)
    sent = 0
    try:
        sock.sendall(head(key) + chunk(prefix))
        piece = chunk(filler)
        sock.setblocking(False)
        deadline = time.monotonic() + 120
        while sent < total and time.monotonic() < deadline:
            try:
                if sock.recv(1, socket.MSG_PEEK):
                    break
            except BlockingIOError:
                pass
            except OSError:
                break
            try:
                sent += sock.send(piece)
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break
        sock.setblocking(True)
        return status_of(sock), sent
    finally:
        sock.close()


def flood_header(port, key):
    prefix = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.mp4\"\r\nX-Endless: ".encode()
    status, sent = stream_body(port, key, prefix, b"a" * 65536, 256 << 20)
    return {"status": status, "sent_mib": round(sent / (1 << 20), 1)}


def flood_fields(port, key):
    field = b"x" * (16 << 10)
    parts = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n".encode() + field + b"\r\n" for _ in range(20_000))
    sock = connect(port)
    sent = 0
    status = None
    try:
        sock.sendall(head(key))
        for part in parts:
            try:
                sock.sendall(chunk(part))
                sent += len(part)
            except OSError:
                break
        status = status_of(sock)
    finally:
        sock.close()
    return {"status": status, "sent_mib": round(sent / (1 << 20), 1)}


def flood_idle(port, key, hold=8.0):
    sockets = []
    refused = 0
    for _ in range(2000):
        try:
            sockets.append(connect(port, timeout=2))
        except OSError:
            refused += 1
    time.sleep(hold)
    closed = 0
    for sock in sockets:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        sock.close()
    return {"opened": len(sockets), "refused": refused, "closed_by_server_within_s": hold, "closed": closed}


def flood_sse(port, key, video, hold=8.0):
    sockets = []
    statuses = {}
    for _ in range(500):
        try:
            sock = connect(port, timeout=5)
            sock.sendall(f"GET /v1/videos/{video}/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n".encode())
            sockets.append(sock)
        except OSError:
            pass
    for sock in sockets:
        status = status_of(sock)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    time.sleep(hold)
    for sock in sockets:
        sock.close()
    return {"streams": len(sockets), "statuses": statuses}


def victim_uploads(port, key, stop, results, size=256 << 10):
    body = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(size - 24)
    done = 0
    failures = 0
    start = time.monotonic()
    while not stop.is_set() and time.monotonic() - start < 120:
        try:
            sock = connect(port)
            sock.sendall(f"POST /v1/videos?title=victim HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
                         f"Content-Type: video/mp4\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
            if status_of(sock) == 202:
                done += 1
            else:
                failures += 1
            sock.close()
        except OSError:
            failures += 1
    results["uploads_per_second"] = round(done / max(time.monotonic() - start, 1e-9), 2)
    results["victim_failures"] = failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--attacker", required=True)
    parser.add_argument("--victim", required=True)
    parser.add_argument("--case", required=True, choices=["none", "header", "fields", "idle", "sse"])
    parser.add_argument("--video")
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    stop = threading.Event()
    victim = {}
    thread = threading.Thread(target=victim_uploads, args=(arguments.port, arguments.victim, stop, victim))
    thread.start()
    started = time.monotonic()
    if arguments.case == "header":
        attack = flood_header(arguments.port, arguments.attacker)
    elif arguments.case == "fields":
        attack = flood_fields(arguments.port, arguments.attacker)
    elif arguments.case == "idle":
        attack = flood_idle(arguments.port, arguments.attacker)
    elif arguments.case == "sse":
        attack = flood_sse(arguments.port, arguments.attacker, arguments.video)
    else:
        attack = {}
    remaining = arguments.seconds - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    thread.join()
    print(json.dumps({"case": arguments.case, "peak_rss_mib": round(vmhwm_mib(arguments.pid), 1), **victim, "attack": attack}))


if __name__ == "__main__":
    main()

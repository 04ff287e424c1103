#!/usr/bin/env python3
"""The architecture picture: docs/architecture.svg is drawn from the boxes and arrows below (the text source).

    python3 docs/architecture.py          # writes docs/architecture.svg
    python3 docs/architecture.py --check  # exit 1 when the SVG is not what this source draws (scripts/test-ops)
"""
import html
import pathlib
import sys

# (id, label lines, x, y, width, height, fill)
BOXES = [
    ("clients", ["Clients", "videoqueue CLI, web console,", "your apps (HTTP API)"], 20, 150, 190, 70, "#eef5ff"),
    ("producer", ["producer", "uploads, records, outbox,", "SSE/WebSocket, webhooks"], 340, 150, 210, 70, "#e8f7ec"),
    ("db", ["Database", "SQLite or PostgreSQL (RDS):", "records, outbox, leases"], 340, 310, 210, 70, "#fff7e6"),
    ("s3", ["S3 (private bucket)", "sources/, outputs/"], 680, 20, 210, 60, "#fff7e6"),
    ("sqs", ["SQS", "jobs queue + dead-letter queue"], 680, 150, 210, 70, "#fff7e6"),
    ("consumers", ["consumers (N per machine)", "FFmpeg, Whisper, in bubblewrap;", "heartbeats, fenced claims"], 1020, 150, 230, 70, "#e8f7ec"),
    ("autoscaler", ["videoqueue-autoscaler", "backlog per instance →", "systemctl or CloudWatch"], 1020, 310, 230, 70, "#f3eefc"),
    ("prometheus", ["Prometheus + Grafana", "ops/ dashboard and alerts"], 20, 310, 190, 70, "#f3eefc"),
]

# (from, to, label, from side, to side)
ARROWS = [
    ("clients", "producer", "HTTP (API key)", "right", "left"),
    ("producer", "s3", "stream uploads, presign", "top", "left"),
    ("producer", "db", "records + outbox (one transaction)", "bottom", "top"),
    ("producer", "sqs", "send (outbox)", "right", "left"),
    ("sqs", "consumers", "receive, extend, delete", "right", "left"),
    ("consumers", "s3", "download source, upload outputs", "top", "right"),
    ("consumers", "db", "claim, progress, complete", "bottomleft", "right"),
    ("autoscaler", "consumers", "start / stop", "top", "bottom"),
    ("prometheus", "producer", "scrape /metrics", "right", "bottomleft"),
]

WIDTH, HEIGHT = 1270, 400


def anchor(box, side):
    _, _, x, y, w, h, _ = box
    return {"left": (x, y + h / 2), "right": (x + w, y + h / 2), "top": (x + w / 2, y), "bottom": (x + w / 2, y + h),
            "bottomleft": (x + w / 4, y + h)}[side]


def draw():
    boxes = {box[0]: box for box in BOXES}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
           'font-family="Helvetica, Arial, sans-serif">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>']
    for source, target, label, from_side, to_side in ARROWS:
        (x1, y1), (x2, y2) = anchor(boxes[source], from_side), anchor(boxes[target], to_side)
        out.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>')
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2 - 6
        out.append(f'<text x="{mx:.0f}" y="{my:.0f}" font-size="11" fill="#333" text-anchor="middle">{html.escape(label)}</text>')
    for _, lines, x, y, w, h, fill in BOXES:
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{fill}" stroke="#444"/>')
        top = y + h / 2 - (len(lines) - 1) * 8 + 4
        for index, line in enumerate(lines):
            weight = ' font-weight="bold"' if index == 0 else ""
            size = 14 if index == 0 else 11
            out.append(f'<text x="{x + w / 2:.0f}" y="{top + index * 16:.0f}" font-size="{size}" text-anchor="middle"{weight}>'
                       f'{html.escape(line)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    path = pathlib.Path(__file__).with_name("architecture.svg")
    svg = draw()
    if "--check" in sys.argv:
        if not path.exists() or path.read_text() != svg:
            print("docs/architecture.svg is not what docs/architecture.py draws: run python3 docs/architecture.py")
            sys.exit(1)
    else:
        path.write_text(svg)

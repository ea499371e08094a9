#!/usr/bin/env python3
"""Structural check of deploy/grafana/portcullis.json: valid JSON that Grafana imports as it is
(schema version, data source variable), unique panel ids, every panel inside the 24-column grid
without overlapping another, and a query with a data source on every non-row panel."""
import json
import sys


def main(path):
    with open(path) as f:
        dashboard = json.load(f)
    problems = []
    if not isinstance(dashboard.get("schemaVersion"), int):
        problems.append("schemaVersion missing")
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("no data source variable named 'datasource'")
    ids, cells = set(), {}
    for panel in dashboard.get("panels", []):
        title = panel.get("title", "?")
        if panel.get("id") in ids:
            problems.append(f"duplicate panel id {panel.get('id')} ({title})")
        ids.add(panel.get("id"))
        pos = panel.get("gridPos", {})
        x, y, w, h = (pos.get(k) for k in ("x", "y", "w", "h"))
        if None in (x, y, w, h) or x < 0 or w <= 0 or h <= 0 or x + w > 24:
            problems.append(f"panel '{title}' has a bad gridPos {pos}")
            continue
        for cx in range(x, x + w):
            for cy in range(y, y + h):
                if (cx, cy) in cells:
                    problems.append(f"panel '{title}' overlaps '{cells[(cx, cy)]}'")
                    break
                cells[(cx, cy)] = title
            else:
                continue
            break
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets", [])
        if not targets or not all(t.get("expr") for t in targets):
            problems.append(f"panel '{title}' has no query")
        if panel.get("datasource", {}).get("uid") != "${datasource}":
            problems.append(f"panel '{title}' does not use the data source variable")
    for problem in problems:
        print(problem)
    print(f"{len(ids)} panels, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

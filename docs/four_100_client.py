#!/usr/bin/env python3
"""Pull a district's "four 100%" table from the platform's API as CSV (standard library only).

    python docs/four_100_client.py --url https://safety.example.cn --username district1 \
        --district 3 [--as-of 2026-11-22] [--group-by school] > four100.csv

The password is read from the CAMPUSSAFETY_PASSWORD environment variable (or
asked for); a token from /api/v1/auth/token/ is then sent as
`Authorization: Token ...`. Pass --token instead to reuse one. One row per
school (or --group-by district), one column per target: the share met
(per cent) and the numerator/denominator behind it. A school without data
for a target (an app not in use there yet) has an empty cell, never 100.

The values are those of the bureau's dashboards: /api/v1/indicator-values/
with indicator=four100, scoped to what the account may see. The answer comes in
pages of places (`{"next": ..., "previous": ..., "results": [...]}`, each page
with every row of its schools); the script follows `next` until it is null,
asking for 500 places a page.
"""

import argparse
import csv
import getpass
import json
import os
import sys
import urllib.parse
import urllib.request


def request_json(url, token=None, data=None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    with urllib.request.urlopen(urllib.request.Request(url, body, headers)) as response:
        return json.load(response)


def get_token(base, username, password):
    return request_json(
        f"{base}/api/v1/auth/token/", data={"username": username, "password": password}
    )["token"]


def all_rows(url, get):
    """Every row of a paged answer: `get(url)` gives a page as JSON, whose `next` is the
    following page's address (null on the last)."""
    while url:
        page = get(url)
        yield from page["results"]
        url = page["next"]


def table(indicators, rows):
    """The CSV rows: a header, then one line per school (or district) in the order received."""
    four = [item for item in indicators if item.get("four_100")]
    four.sort(key=lambda item: item["four_100"])
    header = ["id", "name"]
    for item in four:
        header += [f"{item['four_100']}. {item['name']} (%)", f"{item['four_100']}. met/of"]
    lines, cells = {}, {}
    for row in rows:
        lines.setdefault(row["key"], row["label"])
        cells[(row["key"], row["indicator"])] = row
    out = [header]
    for key, label in lines.items():
        line = [key, label]
        for item in four:
            cell = cells.get((key, item["code"]))
            if cell is None or cell["value"] is None:
                line += ["", ""]
            else:
                line += [f"{cell['value']:.1f}", f"{cell['numerator']}/{cell['denominator']}"]
        out.append(line)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the platform's address")
    parser.add_argument("--username")
    parser.add_argument("--token", default=os.environ.get("CAMPUSSAFETY_TOKEN"))
    parser.add_argument("--district", type=int, help="the district's id (all in scope if absent)")
    parser.add_argument("--as-of", help="YYYY-MM-DD; today when absent")
    parser.add_argument("--group-by", default="school", choices=["school", "district", "city"])
    args = parser.parse_args(argv)
    base = args.url.rstrip("/")
    token = args.token
    if not token:
        password = os.environ.get("CAMPUSSAFETY_PASSWORD") or getpass.getpass()
        token = get_token(base, args.username, password)
    query = {"indicator": "four100", "group_by": args.group_by, "page_size": 500}
    if args.district:
        query["district"] = args.district
    if args.as_of:
        query["as_of"] = args.as_of
    indicators = request_json(f"{base}/api/v1/indicators/", token)
    first = f"{base}/api/v1/indicator-values/?{urllib.parse.urlencode(query)}"
    rows = all_rows(first, lambda url: request_json(url, token))
    csv.writer(sys.stdout).writerows(table(indicators, rows))


if __name__ == "__main__":
    main()

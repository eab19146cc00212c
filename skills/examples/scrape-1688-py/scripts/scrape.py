#!/usr/bin/env python3
"""The 1688 scrape as an OpenClaw skill script in Python 3, with no library of ours.

Each offer is POSTed to the gateway's /ecom/tasks/scrape through the ``openclaw-auth`` CLI, which
gets, caches (shared with every other process on the host) and refreshes the token, and resends
once on an expired token. The script never handles the key or a token.

    python3 scripts/scrape.py [--json] <offer URL or id>...

Exit codes, those of openclaw-auth: 0 ok, 1 scrape failed, 2 usage or config, 3 auth, 4 network.
"""

import json
import re
import shutil
import subprocess
import sys

USAGE = "Usage: python3 scripts/scrape.py [--json] <offer URL or id>..."
OFFER = re.compile(r"^https://(?:detail|m)\.1688\.com/offer/(\d{1,20})\.html(?:[?#].*)?$")


def offer_url(arg):
    """The offer's detail page for a page URL (desktop or mobile) or a bare offer id."""
    if re.fullmatch(r"\d{1,20}", arg):
        return "https://detail.1688.com/offer/%s.html" % arg
    match = OFFER.match(arg)
    return "https://detail.1688.com/offer/%s.html" % match.group(1) if match else None


def fail(message, code):
    # Nothing here holds the key or a token: openclaw-auth redacts its own messages.
    print("scrape-1688-py: %s" % message, file=sys.stderr)
    return code


def scrape(cli, url):
    """One offer: (exit code, the offer's JSON object or None). openclaw-auth's stderr passes through."""
    done = subprocess.run(
        [cli, "--quiet", "request", "POST", "/ecom/tasks/scrape", "--data", json.dumps({"url": url})],
        stdout=subprocess.PIPE,
        check=False,
    )
    if done.returncode != 0:
        return done.returncode, None
    try:
        body = json.loads(done.stdout)
    except ValueError:
        return 1, None
    offer = body.get("data", body) if isinstance(body, dict) else None
    return 0, offer if isinstance(offer, dict) else None


def main(args):
    as_json = "--json" in args
    offers = [arg for arg in args if arg != "--json"]
    if "-h" in offers or "--help" in offers:
        print(USAGE)
        return 0
    if not offers or any(arg.startswith("-") for arg in offers):
        return fail(USAGE, 2)
    urls = [offer_url(arg) for arg in offers]
    if None in urls:
        return fail("not a 1688 offer URL or id: argument %d" % (urls.index(None) + 1), 2)
    cli = shutil.which("openclaw-auth")
    if cli is None:
        return fail("openclaw-auth is not on PATH (npm install -g @openclaw/auth-cli)", 2)
    for url in urls:
        code, offer = scrape(cli, url)
        if code != 0:
            return code
        if offer is None or not isinstance(offer.get("title"), str) or "price" not in offer:
            return fail("unexpected scrape response (no title and price)", 1)
        title, price, currency = offer["title"], offer["price"], offer.get("currency")
        if as_json:
            print(json.dumps({"url": url, "title": title, "price": price, "currency": currency}))
        else:
            print("%s\n  price: %s%s" % (title, price, " " + currency if currency else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# The CLI from a shell script: a token for tools that want one, then an auto-refreshing API call.
#
#   AUTH_BASE=https://gw.example.com CLIENT_KEY=… bash apps/examples/cli.sh [OFFER_URL]
#
# Exit codes as the CLI: 0 ok, 1 request failed, 2 usage or config, 3 auth, 4 network.
set -euo pipefail

cli="$(cd "$(dirname "$0")/../cli" && pwd)"
offer_url="${1:-https://detail.1688.com/offer/610947572360.html}"
body="{\"url\": \"${offer_url}\"}"

# The token, from the cache file or the gateway. It is a credential: pass it on, never print it.
TOKEN=$(bun "${cli}" token)
echo "token: ${#TOKEN} characters, from the shared cache file or the gateway"

# Any HTTP tool can use it; it does not refresh on its own.
if [ -n "${AUTH_BASE:-}" ] && command -v curl >/dev/null 2>&1; then
  status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST "${AUTH_BASE%/}/ecom/tasks/scrape" \
    -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' --data "${body}")
  echo "curl with the token: HTTP ${status}"
fi

# The CLI's own request refreshes and resends on an auth failure; the body goes to stdout.
bun "${cli}" request POST /ecom/tasks/scrape --data "${body}"
echo

# Where the token is cached and how long it lives (never the token itself).
bun "${cli}" status

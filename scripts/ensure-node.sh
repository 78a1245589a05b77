#!/bin/sh
# Install the Node.js validators (package-lock.json) into ./node_modules, locally, when they are missing or
# older than the lock file. Never global; never lets puppeteer download a browser (the tests use
# /usr/bin/chromium). Usage: scripts/ensure-node.sh  (from any directory)
set -eu
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ensure-node: node and npm are needed for the AsyncAPI and Mermaid validators (install Node.js 20+)" >&2
    exit 1
fi
stamp=node_modules/.package-lock.json  # npm writes it on every install
if [ -d node_modules ] && [ -f "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
    exit 0
fi
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund

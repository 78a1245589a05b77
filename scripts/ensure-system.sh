#!/usr/bin/env bash
# Install the Debian packages the advisor needs, when they are missing and we may (root + apt).
# Usage: scripts/ensure-system.sh run|test
#   run : graphviz (dot, for SVG/PNG/PDF diagram files) and Pango (WeasyPrint PDF export)
#   test: the above plus chromium (browser tests), poppler-utils (pdftotext checks the PDF) and Node.js with npm
#         (the AsyncAPI and Mermaid validators)
set -euo pipefail
mode=${1:-run}
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# Diagrams name Arial: Liberation Sans is its metric-compatible stand-in, so dot, Chromium and
# WeasyPrint measure labels alike.
fc-list 2>/dev/null | grep -qi 'liberation sans' || need+=(fonts-liberation)
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
  # Node.js and npm run the AsyncAPI parser and mermaid-cli (scripts/ensure-node.sh installs them locally).
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  command -v npm >/dev/null 2>&1 || need+=(npm)
fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # With recommends, as the packages were tested here (graphviz and chromium pull in their fonts).
  apt-get install -y "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
else
  echo "missing system packages: ${need[*]}" >&2
  echo "install them by hand (Debian/Ubuntu: sudo apt-get install ${need[*]}; macOS: brew install graphviz pango poppler chromium)" >&2
  [ "$mode" = test ] && exit 1 || exit 0
fi

#!/usr/bin/env bash
# install-deps.sh: installs every system dependency of hocvuso from Debian's
# packages, and the npm packages pinned by package-lock.json. Run as root on
# Debian 12. Nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential pkg-config meson ninja-build
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev libsodium-dev
  libxlsxwriter-dev libcairo2-dev libpango1.0-dev libqrencode-dev
  libmd4c-dev libmd4c-html0-dev libutf8proc-dev zlib1g-dev libcmocka-dev libzxcvbn-dev
  libcsv-dev libzip-dev libexpat1-dev clang libclang-rt-14-dev
  sqlite3 postgresql prometheus wrk hyperfine curl
  nodejs chromium fonts-noto-core fonts-dejavu-core fonts-liberation poppler-utils zbar-tools
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages (${missing[*]}); run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The distribution's PostgreSQL cluster is not used: tests start their own
# throw-away server. Stop the packaged one so it does not hold resources.
if command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | grep -q online; then
  service postgresql stop >/dev/null 2>&1 || true
fi

if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # The browser's own copy of the npm packages the front end uses (the binary serves web/, never a
  # CDN): the chart library of the dashboard, pinned by package-lock.json.
  mkdir -p web/vendor
  cp -u node_modules/chart.js/dist/chart.umd.min.js web/vendor/chart.umd.min.js
fi

#!/usr/bin/env bash
# Makes sure a headless Chromium is there for the browser check of the HTML
# report (specs/observability/report.spec.ts). `npx playwright install` cannot
# download browsers on an offline CI machine, so Debian's `chromium` package is
# used through executablePath. Prints one line saying what it found or did.
set -uo pipefail
bin="${E2E_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$bin" ]; then echo "chromium: $bin ($("$bin" --version 2>/dev/null | head -1))"; exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then echo "chromium: not found at $bin and no apt-get here: install Chromium and set E2E_CHROMIUM to its path"; exit 1; fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else echo "chromium: not found at $bin; run: sudo apt-get install chromium (or set E2E_CHROMIUM)"; exit 1; fi
fi
echo "chromium: not found at $bin, installing Debian's chromium package (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || true
if ! $sudo apt-get install -y -qq --no-install-recommends chromium >/tmp/ensure-chromium.log 2>&1; then
  echo "chromium: apt-get install chromium failed (see /tmp/ensure-chromium.log)"; exit 1
fi
echo "chromium: installed $(/usr/bin/chromium --version 2>/dev/null | head -1)"

#!/usr/bin/env bash
# Browser tests drive Debian's Chromium with playwright-core (no browser downloads).
set -euo pipefail
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$chromium_path" ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "Chromium is missing at $chromium_path and apt-get needs root: apt-get install -y chromium" >&2
  exit 1
fi
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
echo "Installing Chromium from Debian's packages (browser tests)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get install -y chromium >/dev/null 2>&1 || {
  $sudo_cmd apt-get update >/dev/null
  $sudo_cmd apt-get install -y chromium >/dev/null
}

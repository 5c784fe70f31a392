#!/usr/bin/env bash
# Installs what the add-on's development needs on a fresh Debian machine: npm packages
# always; with --test also mosquitto (MQTT tests), chromium (dashboard tests), python3 (the
# pairing helper's end-to-end tests run the real a9-pair.py), shellcheck, and
# iproute2 + nftables (the network-namespace DNAT test, run as root), apparmor (its parser
# checks apparmor.txt) and ffmpeg (test/addon/recipes.test.ts runs the docs' ffmpeg recipes with
# Debian's ffmpeg and ffprobe).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--test" ]; then
  missing=()
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
  command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
  command -v nft >/dev/null 2>&1 || [ -x /usr/sbin/nft ] || missing+=(nftables)
  command -v apparmor_parser >/dev/null 2>&1 || [ -x /usr/sbin/apparmor_parser ] || missing+=(apparmor)
  { [ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ]; } || missing+=(ffmpeg)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]} with apt-get"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -d a9-v720/node_modules ] || [ a9-v720/package-lock.json -nt a9-v720/node_modules/.package-lock.json ]; then
  (cd a9-v720 && npm ci --no-audit --no-fund)
fi

#!/usr/bin/env bash
# The whole test suite: installs what it needs (npm packages; mosquitto, chromium, ffmpeg,
# python3, the shellcheck linter, iproute2/nftables, apparmor), then type-checks and runs every test against real sockets, a real broker
# and a real browser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
cd a9-v720
npm test

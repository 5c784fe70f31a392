#!/usr/bin/env bash
# Runs the server locally with three simulated cameras: no Home Assistant, no root.
# Dashboard: http://127.0.0.1:1234/  (extra arguments go to the server, e.g. --options my.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd a9-v720
exec npx tsx src/main.ts --demo 3 --data-dir .data "$@"

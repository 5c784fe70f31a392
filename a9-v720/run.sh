#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts the camera server. exec replaces this shell so SIGTERM from the Supervisor reaches node,
# which publishes "offline" over MQTT and closes its listeners before the stop timeout.
bashio::log.info "Starting A9 / V720 camera server $(bashio::addon.version 2>/dev/null || echo unknown)"

cd /app || exit 1
# A young generation of 1 MB semi-spaces instead of V8's up to 16 MB: the server allocates many
# short-lived objects (packets, frames), and V8 grew the young generation in steps while streaming
# (RSS +16 MB, then +32 MB, each step staying). Measured with bench/memory.ts and bench/soak-mix.ts
# (which start the server with the flags of this line): 6 streaming cameras 108 -> 75 MB, 1000
# registered cameras 126 -> 96 MB peak, no more CPU per frame (README "Benchmarks").
exec node --max-semi-space-size=1 /app/dist/main.js

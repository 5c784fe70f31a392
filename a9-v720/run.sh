#!/usr/bin/with-contenv bashio
# shellcheck shell=bash
# Starts the camera server. exec replaces this shell so SIGTERM from the Supervisor reaches node,
# which publishes "offline" over MQTT and closes its listeners before the stop timeout.
bashio::log.info "Starting A9 / V720 camera server $(bashio::addon.version 2>/dev/null || echo unknown)"

cd /app || exit 1
exec node /app/dist/main.js

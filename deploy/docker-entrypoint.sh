#!/bin/sh
# First start: copy the shipped config into the volume, pointing data and feeds there and
# listening on all interfaces inside the container. Later starts keep the operator's edits.
set -eu
if [ ! -f /data/config.toml ]; then
  sed -e 's|^data_dir = .*|data_dir = "/data"|' \
      -e 's|^dir = "feeds".*|dir = "/data/feeds"|' \
      -e '/^\[web\]/,/^\[/ s|^host = "127.0.0.1"|host = "0.0.0.0"|' \
      /app/config.toml > /data/config.toml
fi
exec syndicate --config /data/config.toml "$@"

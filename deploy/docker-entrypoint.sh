#!/bin/sh
# The container's entry point. First start: write the config into the data volume with
# `syndicate init` (data_dir = the volume, the web side listening on all interfaces inside
# the container); later starts keep the operator's edits. Then run the command given
# (`run` by default). SYNDICATE_DATA names the volume (default /data; the tests point it
# elsewhere).
set -eu
data="${SYNDICATE_DATA:-/data}"
config="$data/config.toml"

probe="$data/.syndicate-write-test.$$"
if ! (: > "$probe") 2>/dev/null; then
  echo "docker-entrypoint: cannot write to $data as uid $(id -u):$(id -g);" \
    "for a bind mount, chown the host folder to $(id -u):$(id -g)" >&2
  exit 1
fi
rm -f "$probe"

if [ ! -f "$config" ]; then
  syndicate init "$data" --data-dir "$data" >/dev/null
  # Inside a container the web side must listen beyond loopback; the port is published.
  sed -i '/^\[web\]/,/^\[/ s|^host = "127.0.0.1"|host = "0.0.0.0"|' "$config"
  echo "docker-entrypoint: wrote $config; set service.base_url, service.contact_url," \
    "attribution.prepared_by and mail.from there" >&2
fi
exec syndicate --config "$config" "$@"

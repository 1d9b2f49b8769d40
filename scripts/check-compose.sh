#!/usr/bin/env bash
# Validates docker-compose.yml (Debian's docker-compose parses and checks it
# against the Compose schema without a Docker engine), filling the secrets
# files it names from their examples when they are not there.
set -euo pipefail
cd "$(dirname "$0")/.."
made=()
for f in deploy/tally.env deploy/postgres_password.txt; do
  if [ ! -e "$f" ]; then
    example=$f.example
    [ -e "$example" ] || example=${f%.txt}.txt.example
    cp "$example" "$f"
    made+=("$f")
  fi
done
trap 'rm -f "${made[@]}"' EXIT
docker-compose -f docker-compose.yml config -q
services=$(docker-compose -f docker-compose.yml config --services | sort | tr '\n' ' ')
[ "$services" = "postgres proxy tally-1 tally-2 " ] || {
  echo "docker-compose.yml: expected postgres, two Tally replicas and a proxy, got: $services" >&2
  exit 1
}
echo "docker-compose.yml is valid: $services"

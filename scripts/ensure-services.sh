#!/usr/bin/env bash
# Starts the loopback Redis and PostgreSQL the tests use, when they are not already running.
# Exits non-zero with one line saying what is missing when a service is neither running nor startable.
set -uo pipefail
missing=()
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no >/dev/null
  fi
fi
if command -v pg_ctlcluster >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1
fi
# Give freshly started servers a moment to accept connections.
redis_up=0
pg_up=0
for _ in {1..50}; do
  redis_up=0
  pg_up=0
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && redis_up=1
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && pg_up=1
  [ "$redis_up" = 1 ] && [ "$pg_up" = 1 ] && exit 0
  sleep 0.2
done
[ "$redis_up" = 1 ] || missing+=("Redis on 127.0.0.1:6379 (install redis-server, or start it)")
[ "$pg_up" = 1 ] || missing+=("PostgreSQL on 127.0.0.1:5432 (install postgresql, or start it; user postgres, trust auth)")
echo "ensure-services: not running and could not be started: $(IFS=';'; echo "${missing[*]}")" >&2
exit 1

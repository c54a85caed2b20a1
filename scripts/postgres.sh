#!/usr/bin/env bash
# Starts the local PostgreSQL cluster when it is not accepting connections, and waits for it.
set -euo pipefail
if pg_isready -q -h 127.0.0.1 -p 5432; then
  exit 0
fi
version=$(ls /etc/postgresql | sort -V | tail -1)
if [ -z "$version" ]; then
  echo "postgres.sh: PostgreSQL is not installed (scripts/deps.sh installs it)" >&2
  exit 1
fi
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && exit 0
  sleep 1
done
echo "postgres.sh: PostgreSQL did not start on 127.0.0.1:5432" >&2
exit 1

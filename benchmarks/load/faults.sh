#!/bin/sh
# Fault injection, measured (issue 9). Needs PostgreSQL on 127.0.0.1:5432
# (the usual test server) and the postgres binaries for a private cluster on
# 127.0.0.1:55432, which the restart test stops and starts (the shared
# server is never touched).
#
#   benchmarks/load/faults.sh
#
#   TestPostgresRestartUnderLoad  8 clients, PostgreSQL down 3 s: 503s, then recovery
#   TestKill9WorkerMidAnalysis    SIGKILL a worker process mid-analysis: rescued, one result
#   TestStorageFaults             Supabase Storage answering 500 (runs in make test too)
set -eu
cd "$(dirname "$0")/../.."
NEVERMIND_FAULTS=1 go test -count=1 -v -run '^(TestPostgresRestartUnderLoad|TestKill9WorkerMidAnalysis|TestStorageFaults)$' ./server |
	grep -E '^(---|===|PASS|FAIL|ok)|fault_test|faults_test'

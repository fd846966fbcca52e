#!/bin/sh
# run-node.sh CONSOLE_LOG ORPHAN_DIR COMMAND...: runs one Kafka node's JVM for the test harness and prints its
# pid. The JVM is killed (SIGKILL) as soon as this script's stdin closes while it still runs: the harness holds
# the other end of that pipe, so a test process that exits or dies in any way, even by SIGKILL, takes its
# brokers with it, and ORPHAN_DIR (the cluster's temp folder) is removed then. SIGTERM/SIGINT to this script
# are passed on to the JVM (a clean broker shutdown); the script exits with the JVM's status once it is gone.
set -u
console="$1"
orphan_dir="$2"
shift 2
exec 3<&0
"$@" </dev/null >>"$console" 2>&1 &
pid=$!
echo "$pid"
# An explicit redirection: a background list's stdin would otherwise be /dev/null.
(
  cat <&3 >/dev/null
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do sleep 0.1; done
    rm -rf "$orphan_dir" 2>/dev/null
  fi
) &
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
rc=0
# wait returns early when a trapped signal arrives; loop until the JVM is really gone.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  rc=$?
done
exit "$rc"

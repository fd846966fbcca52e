#!/bin/sh
# run-node.sh CONSOLE_LOG COMMAND...: runs one Kafka node's JVM for the test harness and prints its pid.
# The JVM is killed (SIGKILL) as soon as this script's stdin closes: the harness holds the other end of that
# pipe, so a test process that exits or dies in any way, even by SIGKILL, takes its brokers with it.
# SIGTERM/SIGINT to this script are passed on to the JVM (a clean broker shutdown), and the script exits with
# the JVM's status once the JVM has exited.
set -u
console="$1"
shift
exec 3<&0
"$@" </dev/null >>"$console" 2>&1 &
pid=$!
echo "$pid"
# An explicit redirection: a background list's stdin would otherwise be /dev/null.
(
  cat <&3 >/dev/null
  kill -KILL "$pid" 2>/dev/null
) &
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
rc=0
# wait returns early when a trapped signal arrives; loop until the JVM is really gone.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  rc=$?
done
exit "$rc"

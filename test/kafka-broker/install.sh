#!/bin/sh
# Fetches the Apache Kafka broker of pom.xml (and its run-time jars) into lib/, once, and builds a
# class-data-sharing archive of its classes (lib/kafka.jsa, from class-list.gz) that halves JVM start-up.
# Safe to rerun; quick when lib/ already matches pom.xml and class-list.gz. Maven keeps its own cache in
# ~/.m2. Installs a JDK 17 and Maven with apt (Debian, as root) when they are missing. Prints the broker
# version on its last line.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/lib"
stamp="$lib/.inputs.sha256"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

if ! command -v "$java" >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven >/dev/null
  else
    echo "test/kafka-broker/install.sh: needs java (17+) and mvn on PATH" >&2
    exit 1
  fi
fi

java_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [ "${java_major%%.*}" -lt 17 ] 2>/dev/null; then
  echo "test/kafka-broker/install.sh: Kafka 4 needs Java 17 or newer, found $java_major" >&2
  exit 1
fi

want="$(cat "$here/pom.xml" "$here/class-list.gz" | sha256sum | cut -d' ' -f1) $("$java" -version 2>&1 | head -n1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! ls "$lib"/kafka_2.13-*.jar >/dev/null 2>&1; then
  # Into a fresh folder first, so that an interrupted install never leaves a half-filled lib/ that looks done.
  rm -rf "$lib.tmp"
  # Maven writes colour codes even in batch mode; its output is shown only when it fails.
  if ! mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$lib.tmp" \
    >"$here/install.log" 2>&1; then
    cat "$here/install.log" >&2
    exit 1
  fi
  mv "$lib.tmp" "$lib.new"
  rm -rf "$lib"
  mv "$lib.new" "$lib"
  # The archive is tied to this JVM and to the jars' paths, so it is made here, not shipped. Without it the
  # broker runs all the same, only slower to start.
  gzip -dc "$here/class-list.gz" >"$lib/classes.lst"
  if ! "$java" -Xshare:dump -XX:+UseSerialGC -XX:SharedClassListFile="$lib/classes.lst" \
    -XX:SharedArchiveFile="$lib/kafka.jsa" -cp "$lib/*" >"$here/install.log" 2>&1; then
    echo "test/kafka-broker/install.sh: no class archive (see test/kafka-broker/install.log); the broker starts slower" >&2
    rm -f "$lib/kafka.jsa"
  else
    rm -f "$here/install.log"
  fi
  echo "$want" >"$stamp"
fi

jar="$(ls "$lib"/kafka_2.13-*.jar)"
version="${jar##*/kafka_2.13-}"
echo "Apache Kafka ${version%.jar} ($(ls "$lib"/*.jar | wc -l) jars in test/kafka-broker/lib$([ -f "$lib/kafka.jsa" ] && echo ', class archive'))"

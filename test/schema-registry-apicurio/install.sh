#!/bin/sh
# Fetches Apicurio Registry's released server (the Quarkus fast-jar distribution that Maven Central holds as
# io.apicurio:apicurio-registry-app:VERSION:tar.gz:all) into dist/, once. Apicurio serves Confluent's schema
# registry API at /apis/ccompat/v7. Building the app from its plain jar with Quarkus' build goal does not work
# from Maven Central here: its sibling modules (apicurio-registry-schema-util-provider and ten more, 3.3.3)
# are not served. Needs Java 21+ (the classes are Java 21 bytecode): APICURIO_JAVA, else JAVA_HOME, else the
# Temurin 25 of /usr/lib/jvm. Safe to rerun. Prints the java to use on its last line.
set -eu
version=3.3.3
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/dist"

java=""
for j in "${APICURIO_JAVA:-}" "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
  /usr/lib/jvm/temurin-21-jdk-amd64/bin/java java; do
  [ -n "$j" ] && command -v "$j" >/dev/null 2>&1 || continue
  major="$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if [ "${major%%.*}" -ge 21 ] 2>/dev/null; then java="$(command -v "$j")"; break; fi
done
if [ -z "$java" ]; then
  echo "test/schema-registry-apicurio/install.sh: needs Java 21 or newer (set APICURIO_JAVA)" >&2
  exit 1
fi

if [ "$(cat "$dist/.version" 2>/dev/null)" != "$version" ] || [ ! -f "$dist/quarkus-run.jar" ]; then
  # Into a fresh folder first, so that an interrupted install never leaves a half-filled dist/ that looks done.
  rm -rf "$dist.tmp"
  mkdir -p "$dist.tmp"
  if ! mvn -q -B -ntp dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$version:tar.gz:all" \
    -DoutputDirectory="$dist.tmp" >"$here/install.log" 2>&1; then
    cat "$here/install.log" >&2
    exit 1
  fi
  tar xzf "$dist.tmp/apicurio-registry-app-$version-all.tar.gz" -C "$dist.tmp"
  rm -f "$dist.tmp/apicurio-registry-app-$version-all.tar.gz" "$here/install.log"
  echo "$version" >"$dist.tmp/.version"
  rm -rf "$dist"
  mv "$dist.tmp" "$dist"
fi
echo "$java"

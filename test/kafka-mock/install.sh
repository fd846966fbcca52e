#!/bin/sh
# Installs librdkafka's headers (Debian) and builds the mock cluster; safe to run again.
set -eu
if ! pkg-config --exists rdkafka 2>/dev/null || ! [ -f /usr/include/librdkafka/rdkafka_mock.h ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq librdkafka-dev pkg-config >/dev/null
fi
sh "$(dirname "$0")/build.sh"

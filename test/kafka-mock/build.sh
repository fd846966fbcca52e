#!/bin/sh
# Compiles the mock Kafka cluster used by the integration tests (needs librdkafka-dev and pkg-config).
set -eu
cd "$(dirname "$0")"
cc -O2 -Wall -Wextra -o mock-cluster mock-cluster.c $(pkg-config --cflags --libs rdkafka)

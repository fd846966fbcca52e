/* A Kafka-protocol broker for tests: librdkafka's mock cluster in a process of its own.
 * Usage: mock-cluster [-b brokers] [topic:partitions ...]
 * Prints the bootstrap servers as one line on stdout, then runs until stdin closes or SIGTERM/SIGINT.
 * Commands on stdin, one a line, each answered "ok" or "error ..." on stdout:
 *   topic <name>:<partitions>               creates a topic
 *   fail <apiKey> <errorCode> <count>       the next <count> requests of that API answer that error
 * The mock has no CreateTopics and no controller, so topics are created here; a topic asked for in a
 * Metadata request is created with 4 partitions (librdkafka 2.0 ignores the request's auto-creation flag). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) { (void)sig; stopping = 1; }

/* "name:partitions" -> topic with min(3, brokers) replicas; returns an error text or NULL. */
static const char *create_topic(rd_kafka_mock_cluster_t *mcluster, char *spec, int brokers) {
  char *colon = strrchr(spec, ':');
  int partitions = colon ? atoi(colon + 1) : 0;
  if (!colon || partitions < 1) return "expected name:partitions";
  *colon = '\0';
  rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, spec, partitions, brokers < 3 ? brokers : 3);
  return err ? rd_kafka_err2str(err) : NULL;
}

int main(int argc, char **argv) {
  int brokers = 1, first_topic = 1;
  if (argc > 2 && strcmp(argv[1], "-b") == 0) { brokers = atoi(argv[2]); first_topic = 3; }
  if (brokers < 1) { fprintf(stderr, "mock-cluster: -b needs a broker count >= 1\n"); return 2; }

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "mock-cluster: %s\n", errstr); return 1; }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) { fprintf(stderr, "mock-cluster: could not start the mock cluster\n"); return 1; }

  for (int i = first_topic; i < argc; i++) {
    const char *err = create_topic(mcluster, argv[i], brokers);
    if (err) { fprintf(stderr, "mock-cluster: topic %s: %s\n", argv[i], err); return 2; }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR so the loop sees the flag */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  char line[512], name[400];
  while (!stopping) {
    if (!fgets(line, sizeof line, stdin)) {
      if (errno == EINTR && !feof(stdin)) { clearerr(stdin); continue; }
      break;
    }
    int api, code, count;
    const char *err = "unknown command";
    if (sscanf(line, "topic %399s", name) == 1) {
      err = create_topic(mcluster, name, brokers);
    } else if (sscanf(line, "fail %d %d %d", &api, &code, &count) == 3 && count > 0 && count <= 64) {
      rd_kafka_resp_err_t errs[64];
      for (int i = 0; i < count; i++) errs[i] = (rd_kafka_resp_err_t)code;
      rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)api, (size_t)count, errs);
      err = NULL;
    }
    printf(err ? "error %s\n" : "ok\n", err);
    fflush(stdout);
  }
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}

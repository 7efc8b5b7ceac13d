package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.examples.FaultScenario.Fault;
import io.sparking.examples.FaultScenario.Result;
import io.sparking.testkit.FlumeAgent;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero data loss under real faults: each job runs in a JVM of its own with {@code --output-dir}, a real process is
 * killed or stopped mid-stream, and every id sent must be in the output files afterwards (duplicates are counted
 * and printed; see docs/reliability.md for why they occur). {@code -Pfaults} sends 200k ids instead of 20k.
 */
class DriverCrashTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  /** The driver dies (SIGKILL) and the same command starts again from the same checkpoint. */
  private static final Fault KILL_DRIVER_AND_RESTART = scenario -> {
    scenario.killJob();
    // The second half arrives while no driver runs: Kafka keeps it, a Flume agent keeps it in its channel.
    scenario.sendRest();
    scenario.restartJob();
  };

  @TempDir Path work;

  @Test
  void kafkaSingleTopicLosesNothingWhenTheDriverIsKilled() throws Exception {
    assertNoLoss(kafka("KafkaSingleTopic", "KafkaSingleTopic").run(KILL_DRIVER_AND_RESTART));
  }

  @Test
  void kafkaDirectTopicLosesNothingWhenTheDriverIsKilled() throws Exception {
    assertNoLoss(kafka("KafkaDirectTopic", "KafkaDirectTopic").run(KILL_DRIVER_AND_RESTART));
  }

  @Test
  void kafkaSingleTopicLosesNothingWhenTheBrokerStopsAndRestarts() throws Exception {
    FaultScenario scenario = kafka("KafkaSingleTopic-brokerRestart", "KafkaSingleTopic");
    assertNoLoss(scenario.run(s -> {
      KAFKA.broker().stop();
      try {
        // The job keeps running, batch after batch, while its broker is gone.
        s.awaitMoreBatches(3);
      } finally {
        KAFKA.broker().restart();
      }
    }));
  }

  @Test
  void flumeSinglePullBasedLosesNothingWhenTheDriverIsKilled() throws Exception {
    try (Flume flume = Flume.start(work, "pull-single.properties", "FLUME_SINK_PORT", false)) {
      assertNoLoss(new FaultScenario("FlumeSinglePullBased", work, flume::append, List.of(),
          "FlumeSinglePullBased", "local[2]", "127.0.0.1", String.valueOf(flume.port()))
          .run(KILL_DRIVER_AND_RESTART));
    }
  }

  @Test
  void flumeSinglePushBasedLosesNothingWhenTheDriverIsKilled() throws Exception {
    try (Flume flume = Flume.start(work, "push-single.properties", "FLUME_RECEIVER_PORT", true)) {
      assertNoLoss(new FaultScenario("FlumeSinglePushBased", work, flume::append, List.of(),
          "FlumeSinglePushBased", "local[2]", "127.0.0.1", String.valueOf(flume.port()))
          .run(KILL_DRIVER_AND_RESTART));
    }
  }

  /**
   * A Kafka scenario {@code name} for {@code job} (its own topic of 3 partitions and group), reading at
   * {@link FaultScenario#ratePerSecond()} so that the fault lands mid-stream.
   */
  private FaultScenario kafka(String name, String job) {
    String topic = job + "-" + System.nanoTime();
    KAFKA.broker().createTopic(topic, 3);
    int rate = FaultScenario.ratePerSecond();
    return new FaultScenario(name, work, ids -> KAFKA.broker().produce(topic, ids),
        List.of("-Dspark.streaming.receiver.maxRate=" + rate,
            "-Dspark.streaming.kafka.maxRatePerPartition=" + Math.max(1, rate / 3)),
        job, "local[2]", topic, KAFKA.broker().bootstrapServers(), "--group", topic);
  }

  private static void assertNoLoss(Result result) {
    assertThat(result.unexpected()).as("ids in the output that were never sent: %s", result).isZero();
    assertThat(result.lost()).as("ids lost: %s", result).isZero();
    assertThat(result.distinct()).isEqualTo(result.sent());
  }

  /**
   * One agent of {@code conf/flume/<file>} following a file the test appends ids to. Two settings differ from the
   * shipped file, both for the test's sake: the memory channel holds every id the test sends (the second half
   * arrives while the job is down), and the pull sink rolls back an unacked batch after 10 s instead of 60 s, so
   * the batches a killed driver had taken return to the channel within the test's time.
   */
  private record Flume(FlumeAgent agent, Path input, String portKey) implements AutoCloseable {
    static Flume start(Path work, String file, String portKey, boolean push) throws Exception {
      Path input = Files.createFile(work.resolve("flume-input.log"));
      String conf = FlumeConfigs.text(file)
          .replace("mem.capacity = 100000", "mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS))
          .replace("spark.timeout = 60", "spark.timeout = 10");
      assertThat(conf).as("conf/flume/%s with the test's channel capacity", file)
          .contains("mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS));
      FlumeAgent.Builder builder = FlumeAgent.builder().name("agent").configuration(conf)
          .placeholder("FLUME_INPUT_FILE", input);
      // A push agent sends to the job's port, which nothing listens on before the job runs.
      FlumeAgent agent = (push ? builder.port(portKey) : builder.listenPort(portKey)).start();
      return new Flume(agent, input, portKey);
    }

    int port() {
      return agent.port(portKey);
    }

    void append(List<String> ids) throws Exception {
      Files.write(input, ids, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Override
    public void close() {
      agent.close();
    }
  }
}

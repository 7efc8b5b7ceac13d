package io.sparking.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.testkit.FlumeAgent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One agent of {@code conf/flume/<file>} following a file the test appends ids to, as a {@link FaultScenario.Source}.
 * Two settings differ from the shipped file, both for the tests' sake: the memory channel holds every id a scenario
 * sends (the second half may arrive while the job is down), and the pull sink rolls back an unacked batch after 10 s
 * instead of 60 s, so the batches a stopped driver had taken return to the channel within the test's time.
 */
final class FlumeSource implements AutoCloseable, FaultScenario.Source {
  private final FlumeAgent agent;
  private final Path input;
  private final String portKey;
  /** Appends in the background at a bounded rate, so that a fault lands while events still flow. */
  private final ExecutorService appender = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "flume-source-appender");
    thread.setDaemon(true);
    return thread;
  });
  private final int linesPerSecond;

  private FlumeSource(FlumeAgent agent, Path input, String portKey, int linesPerSecond) {
    this.agent = agent;
    this.input = input;
    this.portKey = portKey;
    this.linesPerSecond = linesPerSecond;
  }

  /** A pull agent (our sink listens on a free port) fed {@code linesPerSecond} lines a second at most. */
  static FlumeSource pull(Path work, int linesPerSecond) throws Exception {
    return start(work, "pull-single.properties", "FLUME_SINK_PORT", false, linesPerSecond);
  }

  /** A push agent (its avro sink sends to a free port the job listens on) fed {@code linesPerSecond} at most. */
  static FlumeSource push(Path work, int linesPerSecond) throws Exception {
    return start(work, "push-single.properties", "FLUME_RECEIVER_PORT", true, linesPerSecond);
  }

  static FlumeSource start(Path work, String file, String portKey, boolean push, int linesPerSecond)
      throws Exception {
    Path input = Files.createFile(work.resolve("flume-input-" + System.nanoTime() + ".log"));
    String conf = FlumeConfigs.text(file)
        .replace("mem.capacity = 100000", "mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS))
        .replace("spark.timeout = 60", "spark.timeout = 10");
    assertThat(conf).as("conf/flume/%s with the test's channel capacity", file)
        .contains("mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS));
    FlumeAgent.Builder builder = FlumeAgent.builder().name("agent").configuration(conf)
        .placeholder("FLUME_INPUT_FILE", input);
    // A push agent sends to the job's port, which nothing listens on before the job runs.
    FlumeAgent agent = (push ? builder.port(portKey) : builder.listenPort(portKey)).start();
    return new FlumeSource(agent, input, portKey, linesPerSecond);
  }

  int port() {
    return agent.port(portKey);
  }

  /** Appends {@code ids} in the background, a tenth of the rate every 100 ms, after what was sent before. */
  @Override
  public void send(List<String> ids) {
    int chunk = Math.max(1, linesPerSecond / 10);
    for (int from = 0; from < ids.size(); from += chunk) {
      List<String> part = List.copyOf(ids.subList(from, Math.min(ids.size(), from + chunk)));
      appender.execute(() -> {
        try {
          Files.write(input, part, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
          Thread.sleep(100);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
  }

  /** Stops the appender and the agent. */
  @Override
  public void close() {
    appender.shutdownNow();
    agent.close();
  }
}

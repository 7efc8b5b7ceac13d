package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.TempDirs;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose ids do not each arrive exactly once fails, is not run again, and makes the bench exit
 * 1. The receiving JVM is a real one, with the ceiling's counting server ({@code flume-raw-rpc}, no
 * Spark), and checks the ids it counts with {@link ReceivedIds}; only what is sent to it differs.
 */
class DeliveryFailureTest {
  private static final long RECORDS = 1_000;
  private static final int SIZE = 100;

  /** An id counted twice and one that was never sent, as the failure names them. */
  private static final long TWICE = 7;

  private static final long NOT_SENT = 5_000;

  @TempDir Path results;

  @Test
  void anIdReceivedTwiceOrNeverSentFailsTheRunOnceAndTheBenchExitsOne() throws Exception {
    System.setProperty("java.awt.headless", "true");
    AtomicInteger prepared = new AtomicInteger();
    MeasuredPath ceiling = FlumePaths.RAW_RPC;
    MeasuredPath path =
        new MeasuredPath(
            ceiling.group(),
            ceiling.id(),
            ceiling.label(),
            null,
            new MeasuredPath.Halves() {
              @Override
              public RunSetup prepare(
                  String pathId, BenchEnvironment env, BenchConfig config, int run) {
                return new Sender(prepared.incrementAndGet() == 1);
              }

              @Override
              public void receive(ReceiverRun run) throws Exception {
                ceiling.receive(run);
              }
            });
    // Only the first run sends the two extra ids, so a retry or the second round would pass.
    BenchConfig config =
        new BenchConfig(
            RECORDS,
            SIZE,
            2,
            Set.of(path.id()),
            Duration.ofMillis(500),
            results,
            Set.of("throughput"),
            Sections.Sizes.DEFAULT,
            Variant.THROUGHPUT);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Bench.Outcome outcome =
        Bench.run(
            config, List.of(path), new PrintStream(printed, true, StandardCharsets.UTF_8), null);
    String output = printed.toString(StandardCharsets.UTF_8);
    deleteKeptLogs(output);

    String failure =
        "IllegalStateException: ids: 1,000 distinct of 1,000: 0 lost, 1 duplicates (7),"
            + " 1 unknown (5000)";
    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.results())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.failure()).isEqualTo(failure);
              assertThat(r.runs()).isEmpty();
            });
    assertThat(prepared).hasValue(1);
    assertThat(output).contains("FAILED: " + failure).doesNotContain("once more");
    assertThat(Files.readString(outcome.markdown())).contains("| failed: " + failure + " |");
  }

  /** A failed run's logs are kept for a look; the run printed where. */
  private static void deleteKeptLogs(String output) {
    Matcher logs = Pattern.compile("receiving JVMs' logs in (\\S+)").matcher(output);
    if (logs.find()) {
      TempDirs.deleteRecursively(Path.of(logs.group(1)));
    }
  }

  /**
   * Sends every id once to the port the receiving JVM reported and, when {@code faulty}, {@link
   * #TWICE} again and {@link #NOT_SENT} in the first batch: the last batch brings the distinct ids
   * to the target, so the run completes and the check, not a timeout, decides.
   */
  private static final class Sender implements RunSetup, RunSetup.Feeder {
    private final boolean faulty;
    private volatile int port = -1;

    Sender(boolean faulty) {
      this.faulty = faulty;
    }

    @Override
    public ReceiverRun.Source source() {
      return new ReceiverRun.FlumePush(0);
    }

    @Override
    public void receiverReady(int receiverPort) {
      port = receiverPort;
    }

    @Override
    public Feeder feeder() {
      return this;
    }

    @Override
    public void feed() throws EventDeliveryException {
      RpcClient client = RpcClientFactory.getDefaultInstance("127.0.0.1", port, FlumeFeeder.BATCH);
      try {
        List<Event> first = events(0, RECORDS / 2);
        if (faulty) {
          first.add(event(TWICE));
          first.add(event(NOT_SENT));
        }
        client.appendBatch(first);
        client.appendBatch(events(RECORDS / 2, RECORDS));
      } finally {
        client.close();
      }
    }

    @Override
    public void close() {}

    private static List<Event> events(long from, long to) {
      List<Event> events = new ArrayList<>();
      for (long id = from; id < to; id++) {
        events.add(event(id));
      }
      return events;
    }

    private static Event event(long id) {
      return EventBuilder.withBody(BenchData.payload(id, SIZE));
    }
  }
}

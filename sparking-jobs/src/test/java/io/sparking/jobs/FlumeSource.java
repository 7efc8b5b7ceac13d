package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FlumeConfFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One agent of {@code conf/flume/<file>} following a file the test appends ids to, at most {@code
 * rate} ids a second when a rate is given. Two settings differ from the shipped file, both for the
 * test's sake: the memory channel holds every id the test sends (the second half arrives while the
 * job is down), and the pull sink rolls back an unacked batch after 10 s instead of 60 s, so the
 * batches a killed driver had taken return to the channel within the test's time.
 */
final class FlumeSource implements AutoCloseable {
  private final FlumeAgent agent;
  private final Path input;
  private final String portKey;
  private final PacedFeed feed;

  private FlumeSource(FlumeAgent agent, Path input, String portKey, PacedFeed feed) {
    this.agent = agent;
    this.input = input;
    this.portKey = portKey;
    this.feed = feed;
  }

  /**
   * A pull agent (our sink listens on a free port) fed at most {@code rate} ids a second once
   * appended.
   */
  static FlumeSource pull(Path work, int rate) throws Exception {
    return start(work, "pull-single.properties", "FLUME_SINK_PORT", false, rate);
  }

  /**
   * A push agent (its avro sink sends to a free port the job listens on) fed at most {@code rate}
   * ids a second.
   */
  static FlumeSource push(Path work, int rate) throws Exception {
    return start(work, "push-single.properties", "FLUME_RECEIVER_PORT", true, rate);
  }

  /** An agent whose file gets each {@link #append} at once. */
  static FlumeSource start(Path work, String file, String portKey, boolean push) throws Exception {
    return start(work, file, portKey, push, 0);
  }

  /** An agent whose file gets what is appended at {@code rate} ids a second (0: at once). */
  static FlumeSource start(Path work, String file, String portKey, boolean push, int rate)
      throws Exception {
    Path input = Files.createFile(work.resolve("flume-input-" + System.nanoTime() + ".log"));
    String conf =
        FlumeConfFiles.text(file)
            .replace(
                "mem.capacity = 100000",
                "mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS))
            .replace("spark.timeout = 60", "spark.timeout = 10");
    assertThat(conf)
        .as("conf/flume/%s with the test's channel capacity", file)
        .contains("mem.capacity = " + Math.max(100_000, 2 * FaultScenario.IDS));
    FlumeAgent.Builder builder =
        FlumeAgent.builder()
            .name("agent")
            .configuration(conf)
            .placeholder("FLUME_INPUT_FILE", input);
    // A push agent sends to the job's port, which nothing listens on before the job runs.
    FlumeAgent agent = (push ? builder.port(portKey) : builder.listenPort(portKey)).start();
    return new FlumeSource(agent, input, portKey, rate > 0 ? new PacedFeed(input, rate) : null);
  }

  int port() {
    return agent.port(portKey);
  }

  /** Appends {@code ids} to the file, at once or, paced, in order after what is still queued. */
  void append(List<String> ids) throws Exception {
    if (feed != null) {
      feed.add(ids);
    } else {
      Files.write(input, ids, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
  }

  /** How many ids the paced feed has written to the file so far. */
  long fed() {
    return feed.written();
  }

  /**
   * Lifts the paced feed's limit: what is queued, and what is appended from now, goes to the file
   * at once.
   */
  void feedTheRestAtOnce() {
    feed.unlimited = true;
  }

  @Override
  public void close() {
    try {
      if (feed != null) {
        feed.close();
      }
    } finally {
      agent.close();
    }
  }

  /**
   * Appends lines to a file at a bounded rate, in the order they were added, a tenth of a second's
   * share every 100 ms (or everything queued, once {@link #unlimited}), from a thread of its own
   * that closing stops.
   */
  private static final class PacedFeed implements AutoCloseable {
    private final Path file;
    private final int perTick;
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "paced-flume-feed"));
    volatile boolean unlimited;

    PacedFeed(Path file, int perSecond) {
      this.file = file;
      this.perTick = Math.max(1, perSecond / 10);
      timer.scheduleAtFixedRate(this::tick, 0, 100, TimeUnit.MILLISECONDS);
    }

    void add(List<String> lines) {
      queue.addAll(lines);
    }

    /** Lines written so far; fails if a write failed. */
    long written() {
      if (failure.get() != null) {
        throw new UncheckedIOException("Paced feed of " + file + " failed", failure.get());
      }
      return written.get();
    }

    private void tick() {
      List<String> chunk = new ArrayList<>();
      queue.drainTo(chunk, unlimited ? Integer.MAX_VALUE : perTick);
      if (chunk.isEmpty() || failure.get() != null) {
        return;
      }
      try {
        Files.write(file, chunk, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        written.addAndGet(chunk.size());
      } catch (IOException e) {
        // Kept for written() to report: a failed write would otherwise show only as lost ids.
        failure.set(e);
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
      try {
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              "the paced feed of " + file + " did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

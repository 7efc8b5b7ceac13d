package io.sparking.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.core.internal.DrainCoordinator;
import io.sparking.core.spi.DrainableReceiver;
import io.sparking.core.spi.DrainableReceiverStream;
import io.sparking.runtime.LocalStreaming;
import io.sparking.testkit.OutputCollector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.receiver.Receiver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.reflect.ClassTag$;

/**
 * {@link GracefulStop} with receivers that store without pause: a drainable one ends with every
 * stored number processed in the same run, with the write-ahead log on; one that cannot be drained
 * leaves blocks, and the stop says so instead of hiding it.
 */
@Tag("every-line")
class GracefulStopTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** Numbers the receivers stored, by kind: the receivers run in this JVM (local mode). */
  private static final AtomicLong DRAINABLE_STORED = new AtomicLong();

  private static final AtomicLong PLAIN_STORED = new AtomicLong();

  @TempDir Path checkpoint;

  @ParameterizedTest(name = "drain endpoint on {0}")
  @ValueSource(strings = {"a free port", "a given port"})
  void drainsAReceiverThenProcessesEveryRecordItStored(String port) throws Exception {
    DRAINABLE_STORED.set(0);
    int given = freePort();
    LocalStreaming.Builder builder =
        LocalStreaming.builder(checkpoint).writeAheadLog(true).master("local[2]");
    if (port.equals("a given port")) {
      builder.set(DrainCoordinator.PORT_SETTING, String.valueOf(given));
    }
    OutputCollector<Integer> out = OutputCollector.create();
    StopReport report;
    try (LocalStreaming spark = builder.start()) {
      JavaStreamingContext jssc = spark.context();
      JavaReceiverInputDStream<Integer> numbers =
          new JavaReceiverInputDStream<>(
              new DrainableReceiverStream<>(jssc.ssc(), new Numbers(), "numbers", Integer.class),
              ClassTag$.MODULE$.apply(Integer.class));
      numbers.foreachRDD(rdd -> out.addAll(rdd.collect()));
      jssc.start();
      await().atMost(WAIT).until(() -> out.size() >= 20_000);
      int listening = DrainCoordinator.of(jssc.ssc()).orElseThrow().port();
      if (port.equals("a given port")) {
        assertThat(listening).as("the endpoint's port").isEqualTo(given);
      }
      report = GracefulStop.stop(jssc);
    }
    System.out.printf(
        "drainable receiver: stored=%d processed=%d %s%n",
        DRAINABLE_STORED.get(), out.size(), report);
    assertThat(report.receivers()).isEqualTo(1);
    assertThat(report.complete()).as("%s", report).isTrue();
    assertThat((long) out.size()).as("processed in this run").isEqualTo(DRAINABLE_STORED.get());
    assertThat(out.values()).as("in the order stored, once each").doesNotHaveDuplicates();
  }

  @Test
  void saysWhatAReceiverItCannotDrainLeftForARestart() {
    OutputCollector<Integer> out = OutputCollector.create();
    StopReport report;
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(true)
            .master("local[2]")
            .set("spark.streaming.gracefulStopTimeout", "2s")
            .start()) {
      JavaStreamingContext jssc = spark.context();
      jssc.receiverStream(new PlainNumbers()).foreachRDD(rdd -> out.addAll(rdd.collect()));
      jssc.start();
      await().atMost(WAIT).until(() -> out.size() >= 200);
      report = GracefulStop.stop(jssc);
    }
    System.out.printf(
        "plain receiver: stored=%d processed=%d %s%n", PLAIN_STORED.get(), out.size(), report);
    assertThat(report.receivers()).as("Sparking receivers").isZero();
    assertThat(report.complete()).as("%s", report).isFalse();
    assertThat(report.leftBlocks()).as("%s", report).isPositive();
    assertThat(report.leftRecords())
        .as("%s", report)
        .isPositive()
        .isLessThanOrEqualTo(PLAIN_STORED.get() - out.size());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stores consecutive numbers in blocks of 100 until drained. */
  private static final class Numbers extends DrainableReceiver<Integer> {
    private transient volatile boolean running;
    private transient Thread thread;

    Numbers() {
      super(StorageLevel.MEMORY_AND_DISK_SER());
    }

    @Override
    protected void startReceiving() {
      running = true;
      thread =
          new Thread(
              () -> {
                int next = 0;
                while (running) {
                  List<Integer> block = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    block.add(next++);
                  }
                  store(block.iterator());
                  DRAINABLE_STORED.addAndGet(block.size());
                }
              },
              "numbers");
      thread.start();
    }

    @Override
    protected String drain() throws InterruptedException {
      running = false;
      thread.join(10_000);
      return "stored " + DRAINABLE_STORED.get();
    }

    @Override
    protected void stopReceiving() {
      running = false;
    }
  }

  /**
   * A receiver of Spark's own kind, which nothing can drain: stores one number per block, 200 a
   * second, until stopped.
   */
  private static final class PlainNumbers extends Receiver<Integer> {
    PlainNumbers() {
      super(StorageLevel.MEMORY_AND_DISK_SER());
    }

    @Override
    public void onStart() {
      new Thread(
              () -> {
                int next = 0;
                while (!isStopped()) {
                  store(List.of(next++).iterator());
                  PLAIN_STORED.incrementAndGet();
                  try {
                    Thread.sleep(5);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "plain-numbers")
          .start();
    }

    @Override
    public void onStop() {}
  }
}

package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The storage level the receivers hand Spark, in this module's test context, which runs with the
 * write-ahead log on: one copy by default (the log makes a block durable; Spark keeps one copy
 * anyway and warns when asked for two), and a level chosen in the settings as given. The jobs' own
 * logs are checked for Spark's warning in sparking-jobs' {@code FlumeJobsTest}.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("default-line")
class StorageLevelTest {

  @Test
  void pushReceiverKeepsOneCopyWithTheWriteAheadLogUnlessTheSettingsChooseALevel()
      throws Exception {
    assertThat(pushReceiverLevel(PushSettings.defaults(), "d"))
        .isEqualTo(StorageLevel.MEMORY_AND_DISK_SER());
    assertThat(
            pushReceiverLevel(
                PushSettings.builder().storageLevel(StorageLevel.MEMORY_ONLY_2()).build(), "c"))
        .isEqualTo(StorageLevel.MEMORY_ONLY_2());
  }

  @Test
  void pullReceiverKeepsOneCopyWithTheWriteAheadLogUnlessTheSettingsChooseALevel()
      throws Exception {
    assertThat(pullReceiverLevel(PullSettings.defaults(), "d"))
        .isEqualTo(StorageLevel.MEMORY_AND_DISK_SER());
    assertThat(
            pullReceiverLevel(
                PullSettings.builder().storageLevel(StorageLevel.MEMORY_AND_DISK_SER_2()).build(),
                "c"))
        .isEqualTo(StorageLevel.MEMORY_AND_DISK_SER_2());
  }

  /**
   * Runs a push receiver with {@code settings}, checks that it delivers, and returns the level it
   * stored with.
   */
  private static StorageLevel pushReceiverLevel(PushSettings settings, String sender)
      throws Exception {
    int port = FreePorts.next();
    AtomicReference<JavaReceiverInputDStream<FlumeEvent>> stream = new AtomicReference<>();
    try (SparkStreams spark =
        SparkStreams.start(
            1,
            jssc -> {
              stream.set(SparkingFlume.pushStream(jssc, "127.0.0.1", port, settings));
              return stream.get();
            })) {
      try (FlumeClients.Sender client = FlumeClients.client(port, 100, Map.of())) {
        client.sendAll(FlumeClients.events(sender, 0, 300));
      }
      spark.awaitEvents(300).stopGracefully();
      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected(sender, 0, 300));
      return stream.get().receiverInputDStream().getReceiver().storageLevel();
    }
  }

  /**
   * Runs a pull receiver with {@code settings}, checks that it delivers, and returns the level it
   * stored with.
   */
  private static StorageLevel pullReceiverLevel(PullSettings settings, String sender)
      throws Exception {
    AtomicReference<JavaReceiverInputDStream<FlumeEvent>> stream = new AtomicReference<>();
    try (FlumeAgent agent = Agents.sparkingPullSink();
        SparkStreams spark =
            SparkStreams.start(
                1,
                jssc -> {
                  stream.set(
                      SparkingFlume.pullStream(
                          jssc,
                          List.of(new InetSocketAddress("127.0.0.1", agent.port(Agents.SINK_PORT))),
                          settings));
                  return stream.get();
                })) {
      Agents.feed(agent, sender, 300);
      spark.awaitEvents(300).stopGracefully();
      assertThat(spark.events())
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected(sender, 0, 300));
      return stream.get().receiverInputDStream().getReceiver().storageLevel();
    }
  }
}

package io.sparking.flume.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.flume.protocol.SparkFlumeProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;
import org.apache.spark.streaming.flume.sink.EventBatch;
import org.junit.jupiter.api.Test;

/**
 * Our protocol against the one compiled into Spark 2.4.8's spark-streaming-flume-sink jar (its
 * generated classes, loaded from the real jar). The reverse direction, our client against the old
 * sink inside a Flume 1.11 agent, runs in the testkit where that agent runtime is available.
 */
class OldProtocolCompatibilityTest {
  private static final Protocol OLD =
      org.apache.spark.streaming.flume.sink.SparkFlumeProtocol.PROTOCOL;
  private static final Protocol OURS = SparkFlumeProtocol.PROTOCOL;

  @Test
  void messagesAndRecordsReadEachOthersDataBothWays() {
    assertThat(OURS.getName()).isEqualTo(OLD.getName());
    // Every old message is ours too; settle is ours alone, and only asked of a sink that has it.
    assertThat(OURS.getMessages().keySet())
        .containsAll(OLD.getMessages().keySet())
        .hasSize(OLD.getMessages().size() + 1)
        .contains("settle");
    OLD.getMessages()
        .forEach(
            (name, old) -> {
              Protocol.Message ours = OURS.getMessages().get(name);
              assertThat(ours.isOneWay()).as(name).isEqualTo(old.isOneWay());
              assertMutuallyReadable(name + " request", ours.getRequest(), old.getRequest());
              assertMutuallyReadable(name + " response", ours.getResponse(), old.getResponse());
            });
    assertThat(OURS.getType("io.sparking.flume.protocol.EventBatch").getAliases())
        .containsExactly("org.apache.spark.streaming.flume.sink.EventBatch");
  }

  private static void assertMutuallyReadable(String what, Schema ours, Schema old) {
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(ours, old).getType())
        .as(what + ", we read old")
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(old, ours).getType())
        .as(what + ", old reads ours")
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void clientBuiltOnTheOldProtocolDrainsOurSink() throws Exception {
    List<String> sent = IntStream.range(0, 300).mapToObj(i -> "old-" + i).toList();
    try (SinkUnderTest agent = SinkUnderTest.start(Map.of("batchWait", "200"))) {
      agent.put(sent);
      NettyTransceiver transceiver =
          new NettyTransceiver(new InetSocketAddress("127.0.0.1", agent.port()), 5_000);
      try {
        var old =
            SpecificRequestor.getClient(
                org.apache.spark.streaming.flume.sink.SparkFlumeProtocol.class, transceiver);
        List<String> received = new ArrayList<>();
        EventBatch first = old.getEventBatch(100);
        old.nack(first.getSequenceNumber());
        EventBatch batch;
        while ((batch = old.getEventBatch(100)).getErrorMsg().toString().isEmpty()) {
          batch
              .getEvents()
              .forEach(
                  e -> {
                    byte[] bytes = new byte[e.getBody().remaining()];
                    e.getBody().duplicate().get(bytes);
                    received.add(new String(bytes, StandardCharsets.UTF_8));
                    // The old generated classes read strings as Avro's Utf8, keys included.
                    assertThat(e.getHeaders().get(new org.apache.avro.util.Utf8("h")))
                        .hasToString(received.get(received.size() - 1));
                  });
          old.ack(batch.getSequenceNumber());
        }
        assertThat(received).containsExactlyElementsOf(sent);
        assertThat(batch.getErrorMsg().toString()).startsWith("No events");
        assertThat(agent.sink.openTransactions()).isZero();
      } finally {
        transceiver.close();
      }
    }
  }
}

package io.sparking.flume.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flume.Channel;
import org.apache.flume.Context;
import org.apache.flume.Transaction;
import org.apache.flume.channel.MemoryChannel;
import org.apache.flume.conf.Configurables;
import org.apache.flume.event.EventBuilder;

/**
 * A real Flume memory channel drained by a real {@link SparkingSink} listening on a free loopback
 * port, the way an agent wires them, in this JVM. Tests against whole agent processes live in the
 * testkit, which depends on this module through the agent runtime.
 */
final class SinkUnderTest implements AutoCloseable {
  final Channel channel;
  SparkingSink sink;
  final Map<String, String> settings;

  private SinkUnderTest(Channel channel, Map<String, String> settings) {
    this.channel = channel;
    this.settings = settings;
    this.sink = startSink(channel, settings);
  }

  /**
   * A memory channel (capacity 10000, transactionCapacity 1000, no take wait) and a sink with
   * {@code settings}.
   */
  static SinkUnderTest start(Map<String, String> settings) {
    return start(
        Map.of("capacity", "10000", "transactionCapacity", "1000", "keep-alive", "0"), settings);
  }

  static SinkUnderTest start(Map<String, String> channelSettings, Map<String, String> settings) {
    MemoryChannel channel = new MemoryChannel();
    channel.setName("c1");
    Configurables.configure(channel, new Context(channelSettings));
    channel.start();
    Map<String, String> all = new HashMap<>(settings);
    all.putIfAbsent(SparkingSinkConfig.PORT, String.valueOf(freePort()));
    return new SinkUnderTest(channel, all);
  }

  private static SparkingSink startSink(Channel channel, Map<String, String> settings) {
    SparkingSink sink = new SparkingSink();
    sink.setName("k1");
    sink.setChannel(channel);
    Configurables.configure(sink, new Context(settings));
    sink.start();
    return sink;
  }

  int port() {
    return Integer.parseInt(settings.get(SparkingSinkConfig.PORT));
  }

  /**
   * Puts events with the given bodies into the channel, in committed transactions of up to 100
   * events.
   */
  void put(List<String> bodies) {
    for (int from = 0; from < bodies.size(); from += 100) {
      putInOneTransaction(bodies.subList(from, Math.min(bodies.size(), from + 100)));
    }
  }

  private void putInOneTransaction(List<String> bodies) {
    Transaction tx = channel.getTransaction();
    tx.begin();
    try {
      for (String body : bodies) {
        channel.put(EventBuilder.withBody(body, StandardCharsets.UTF_8, Map.of("h", body)));
      }
      tx.commit();
    } catch (RuntimeException e) {
      tx.rollback();
      throw e;
    } finally {
      tx.close();
    }
  }

  /**
   * Stops the sink and starts a new one on the same channel and settings, as an agent restart of
   * the sink would.
   */
  SparkingSink restartSink() {
    sink.stop();
    sink = startSink(channel, settings);
    return sink;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      sink.stop();
    } finally {
      channel.stop();
    }
  }
}

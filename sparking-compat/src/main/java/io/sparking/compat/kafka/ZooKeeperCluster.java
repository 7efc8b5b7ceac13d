package io.sparking.compat.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparking.core.spi.InvalidSetting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper of a Spark 2.4 job's Kafka cluster, read once on the driver when the stream is
 * created: the brokers registered there ({@code /brokers/ids/<id>}, as Kafka up to 3.9 writes them)
 * and the offsets Kafka's 0.8 consumer kept there ({@code
 * /consumers/<group>/offsets/<topic>/<partition>}). Connects on first use, each wait bounded.
 */
final class ZooKeeperCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String setting;
  private final String connect;
  private final Duration connectionTimeout;
  private final int sessionTimeoutMs;
  private ZooKeeper zooKeeper;

  /**
   * The ZooKeeper at {@code connect} ({@code host:port,...[/chroot]}), given as {@code setting}.
   */
  ZooKeeperCluster(
      String setting, String connect, Duration connectionTimeout, int sessionTimeoutMs) {
    this.setting = setting;
    this.connect = connect;
    this.connectionTimeout = connectionTimeout;
    this.sessionTimeoutMs = sessionTimeoutMs;
  }

  String connectString() {
    return connect;
  }

  /**
   * The {@code host:port} of every broker's listener that speaks {@code securityProtocol},
   * comma-separated.
   *
   * @throws IllegalArgumentException naming {@code bootstrap.servers} when no broker is registered
   *     here, or none has such a listener
   */
  String brokers(String securityProtocol) {
    List<String> ids;
    try {
      ids = children("/brokers/ids");
    } catch (KeeperException.NoNodeException e) {
      ids = List.of();
    } catch (KeeperException e) {
      throw failure("could not be read (" + e.getMessage() + ")");
    }
    if (ids.isEmpty()) {
      throw notBrokersZooKeeper(
          "a ZooKeeper in which no Kafka broker is registered (no /brokers/ids/<id>; Kafka"
              + " 4 and KRaft clusters never register there)");
    }
    Set<String> addresses = new LinkedHashSet<>();
    List<String> others = new ArrayList<>();
    for (String id : ids) {
      JsonNode broker;
      try {
        byte[] data = data("/brokers/ids/" + id);
        broker = JSON.readTree(new String(data, StandardCharsets.UTF_8));
      } catch (KeeperException.NoNodeException e) {
        continue; // The broker went away between the two reads.
      } catch (KeeperException | IOException e) {
        throw failure(
            "holds an unreadable registration of broker " + id + " (" + e.getMessage() + ")");
      }
      listeners(broker, securityProtocol, addresses, others);
    }
    if (addresses.isEmpty()) {
      throw notBrokersZooKeeper(
          "a ZooKeeper whose brokers have no "
              + securityProtocol
              + " listener (they offer "
              + others
              + ")");
    }
    return String.join(",", addresses);
  }

  /**
   * The offsets the 0.8 consumer group {@code group} committed for {@code topic}, by partition;
   * empty if none.
   */
  Map<TopicPartition, Long> offsets(String group, String topic) {
    String path = "/consumers/" + group + "/offsets/" + topic;
    Map<TopicPartition, Long> offsets =
        new TreeMap<>(
            (a, b) ->
                a.topic().equals(b.topic())
                    ? Integer.compare(a.partition(), b.partition())
                    : a.topic().compareTo(b.topic()));
    try {
      for (String partition : children(path)) {
        byte[] data = data(path + "/" + partition);
        String text = data == null ? "" : new String(data, StandardCharsets.UTF_8).trim();
        try {
          offsets.put(new TopicPartition(topic, Integer.parseInt(partition)), Long.parseLong(text));
        } catch (NumberFormatException e) {
          throw failure(
              "holds '" + text + "' at " + path + "/" + partition + ", not a partition's offset");
        }
      }
    } catch (KeeperException.NoNodeException e) {
      // The group never committed this topic (or the node went away): nothing to import.
    } catch (KeeperException e) {
      throw failure("could not be read at " + path + " (" + e.getMessage() + ")");
    }
    return offsets;
  }

  private List<String> children(String path) throws KeeperException {
    try {
      return zooKeeper().getChildren(path, false);
    } catch (InterruptedException e) {
      throw interrupted(path, e);
    }
  }

  private byte[] data(String path) throws KeeperException {
    try {
      return zooKeeper().getData(path, false, null);
    } catch (InterruptedException e) {
      throw interrupted(path, e);
    }
  }

  private IllegalStateException interrupted(String path, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new IllegalStateException(
        "Interrupted while reading " + path + " in ZooKeeper " + connect, e);
  }

  private ZooKeeper zooKeeper() {
    if (zooKeeper != null) {
      return zooKeeper;
    }
    CountDownLatch connected = new CountDownLatch(1);
    Watcher watcher =
        event -> {
          if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
            connected.countDown();
          }
        };
    ZooKeeper client;
    try {
      client = new ZooKeeper(connect, sessionTimeoutMs, watcher);
    } catch (IOException | IllegalArgumentException e) {
      throw notBrokersZooKeeper("not a ZooKeeper address (" + e.getMessage() + ")");
    }
    try {
      if (!connected.await(connectionTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        close(client);
        throw notBrokersZooKeeper(
            "not answering as ZooKeeper within " + connectionTimeout.toMillis() + " ms");
      }
    } catch (InterruptedException e) {
      close(client);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while connecting to ZooKeeper " + connect, e);
    }
    zooKeeper = client;
    return client;
  }

  private static void listeners(
      JsonNode broker, String protocol, Set<String> addresses, List<String> others) {
    JsonNode endpoints = broker.path("endpoints");
    JsonNode protocols = broker.path("listener_security_protocol_map");
    if (!endpoints.isArray() || endpoints.isEmpty()) {
      // Registrations older than Kafka 0.9 name one PLAINTEXT host and port.
      if (broker.hasNonNull("host") && broker.path("port").asInt(-1) > 0) {
        (protocol.equals("PLAINTEXT") ? addresses : others)
            .add(broker.get("host").asText() + ":" + broker.get("port").asInt());
      }
      return;
    }
    for (Iterator<JsonNode> it = endpoints.elements(); it.hasNext(); ) {
      String endpoint = it.next().asText();
      int scheme = endpoint.indexOf("://");
      if (scheme < 0) {
        continue;
      }
      String listener = endpoint.substring(0, scheme);
      String spoken = protocols.path(listener).asText(listener).toUpperCase(Locale.ROOT);
      (spoken.equals(protocol) ? addresses : others)
          .add(spoken.equals(protocol) ? endpoint.substring(scheme + 3) : endpoint);
    }
  }

  private IllegalArgumentException notBrokersZooKeeper(String problem) {
    return InvalidSetting.of(
        setting,
        connect,
        problem,
        "pass the brokers as bootstrap.servers instead, in the"
            + " kafkaParams overload (\"bootstrap.servers\" -> \"broker1:9092\", \"group.id\" -> ...), with"
            + " StringDeserializer for Spark 2.4's StringDecoder");
  }

  private IllegalStateException failure(String problem) {
    return new IllegalStateException("ZooKeeper " + connect + " " + problem);
  }

  private static void close(ZooKeeper client) {
    try {
      client.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (zooKeeper != null) {
      close(zooKeeper);
      zooKeeper = null;
    }
  }
}

package io.sparking.kafka;

import io.sparking.core.spi.InvalidSetting;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a Kafka {@code bootstrap.servers} list before any client sees it, so that a mistaken
 * address fails at once with a message that says what to pass instead.
 */
public final class BootstrapServers {
  private static final int ZOOKEEPER_PORT = 2181;
  private static final String SETTING = "bootstrap.servers";

  private BootstrapServers() {}

  /**
   * Returns {@code servers} unchanged if it is a comma-separated list of {@code host:port} entries.
   *
   * @throws IllegalArgumentException if the list is empty, an entry lacks a valid port, or it looks
   *     like a ZooKeeper connect string (port 2181 or a {@code /chroot}), as the old receiver-based
   *     examples took
   */
  public static String validate(String servers) {
    if (servers == null || servers.isBlank()) {
      throw InvalidSetting.of(
          SETTING,
          "'" + (servers == null ? "" : servers) + "'",
          "empty",
          "pass Kafka brokers such as localhost:9092");
    }
    List<String> entries = new ArrayList<>();
    for (String raw : servers.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        throw InvalidSetting.of(
            SETTING,
            servers,
            "a list with an empty entry",
            "pass host:port pairs separated by" + " commas, such as localhost:9092,localhost:9093");
      }
      entries.add(entry);
    }
    for (String entry : entries) {
      if (entry.contains("/")) {
        throw zooKeeper(servers);
      }
      int colon = entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw InvalidSetting.of(
            SETTING,
            servers,
            "missing a port in '" + entry + "'",
            "pass host:port, such as" + " localhost:9092");
      }
      int port;
      try {
        port = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw InvalidSetting.of(
            SETTING,
            servers,
            "an unparsable port '" + entry.substring(colon + 1) + "' in '" + entry + "'",
            "pass host:port with a port from 1 to 65535, such as localhost:9092");
      }
      if (port < 1 || port > 65535) {
        throw InvalidSetting.of(
            SETTING,
            servers,
            "port " + port + " in '" + entry + "', out of range",
            "pass host:port with a port from 1 to 65535, such as localhost:9092");
      }
      if (port == ZOOKEEPER_PORT) {
        throw zooKeeper(servers);
      }
    }
    return servers;
  }

  private static IllegalArgumentException zooKeeper(String servers) {
    return InvalidSetting.of(
        SETTING,
        servers,
        "a ZooKeeper address, which the old receiver-based examples took",
        "Sparking connects to Kafka brokers; pass bootstrap servers such as localhost:9092 (the brokers' listeners)");
  }
}

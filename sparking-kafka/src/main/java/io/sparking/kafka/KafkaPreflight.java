package io.sparking.kafka;

import io.sparking.kafka.internal.SecurityErrors;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;

/**
 * Checks, before a job starts its streams, that the brokers answer and the topics exist, so that a
 * wrong address or a typo in a topic name fails at once with a message instead of a receiver that
 * waits quietly.
 */
public final class KafkaPreflight {
  private KafkaPreflight() {}

  /**
   * Connects with the security settings of {@code settings} and checks brokers and topics.
   *
   * @throws IllegalStateException naming the address or the missing topics, and what to do; for a
   *     failed login or SSL handshake, which of that and the consumer settings to check ({@code
   *     sasl.jaas.config}, {@code ssl.truststore.location}, ...)
   */
  public static void check(KafkaSettings settings, Duration timeout) {
    Map<String, Object> config = new HashMap<>();
    Set<String> adminKeys = AdminClientConfig.configNames();
    settings
        .consumerConfig()
        .forEach(
            (k, v) -> {
              if (adminKeys.contains(k)) {
                config.put(k, v);
              }
            });
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis);
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis);
    try (Admin admin = connect(config, settings)) {
      Set<String> existing;
      try {
        existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        var security = SecurityErrors.explain(cause, settings);
        if (security.isPresent()) {
          throw new IllegalStateException(
              "Kafka at "
                  + settings.bootstrapServers()
                  + " refused the connection: "
                  + security.get(),
              cause);
        }
        throw new IllegalStateException(
            "Could not reach Kafka at "
                + settings.bootstrapServers()
                + " within "
                + timeout.toSeconds()
                + " s ("
                + cause
                + "): check the address, that the brokers listen there, and the"
                + " security settings",
            cause);
      }
      Set<String> wanted = new TreeSet<>(settings.topics());
      for (TopicPartition p : settings.partitions()) {
        wanted.add(p.topic());
      }
      wanted.removeAll(existing);
      if (!wanted.isEmpty()) {
        throw new IllegalStateException(
            "Topic(s) "
                + wanted
                + " do not exist on "
                + settings.bootstrapServers()
                + ": create them first (kafka-topics.sh --bootstrap-server "
                + settings.bootstrapServers()
                + " --create --topic "
                + List.copyOf(wanted).get(0)
                + " --partitions 4) or check the name");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "Interrupted while checking Kafka at " + settings.bootstrapServers(), e);
    }
  }

  private static Admin connect(Map<String, Object> config, KafkaSettings settings) {
    try {
      return Admin.create(config);
    } catch (KafkaException e) {
      // Kafka resolves the bootstrap host names when a client is created: an unknown host fails
      // here, not in a call.
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ConfigException && String.valueOf(t.getMessage()).contains("bootstrap")) {
          throw new IllegalStateException(
              "Could not reach Kafka at "
                  + settings.bootstrapServers()
                  + " ("
                  + t.getMessage()
                  + "): check the host names, which must resolve on this machine (a typo, or a name"
                  + " only another network knows), or pass the brokers' IP addresses; then the security settings",
              e);
        }
      }
      // Otherwise, say, an unreadable truststore or a JAAS line that does not parse. Kafka wraps
      // the reason
      // (which file, which line) a few levels down.
      StringBuilder reasons = new StringBuilder(String.valueOf(e.getMessage()));
      for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
        reasons.append(": ").append(t.getMessage());
      }
      throw new IllegalStateException(
          "Cannot create a Kafka client for "
              + settings.bootstrapServers()
              + " ("
              + reasons
              + "). Check the security settings among the consumer properties (security.protocol, sasl.*,"
              + " ssl.*)",
          e);
    }
  }
}

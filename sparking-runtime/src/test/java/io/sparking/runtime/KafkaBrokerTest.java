package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  @Test
  void startsOnLoopbackCreatesTopicsAndStopsByHandle() throws Exception {
    long pid;
    try (KafkaBroker broker = KafkaBroker.start()) {
      assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
      pid = broker.pid();
      assertThat(pid).isPositive();

      broker.createTopic("three", 3);
      try (Admin admin = broker.admin()) {
        Map<String, TopicDescription> topics =
            admin.describeTopics(List.of("three")).allTopicNames().get(20, TimeUnit.SECONDS);
        assertThat(topics.get("three").partitions()).hasSize(3);
      }
    }
    Optional<ProcessHandle> left = ProcessHandle.of(pid);
    assertThat(left.map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
  }

  @Test
  void restartKeepsTopics() throws Exception {
    try (KafkaBroker broker = KafkaBroker.start()) {
      broker.createTopic("kept", 2);
      long first = broker.pid();
      broker.kill();
      assertThat(broker.pid()).isEqualTo(-1);
      broker.restart();
      assertThat(broker.pid()).isNotEqualTo(first).isPositive();
      try (Admin admin = broker.admin()) {
        assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS)).contains("kept");
      }
    }
  }

  @Test
  void portInUseFailsFastWithTheLogTail() throws Exception {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int taken = socket.getLocalPort();
      var error =
          org.assertj.core.api.Assertions.catchThrowable(
              () -> KafkaBroker.start(taken, Duration.ofSeconds(60)).close());
      assertThat(error)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(String.valueOf(taken))
          .hasMessageContaining("Log tail");
    }
  }
}

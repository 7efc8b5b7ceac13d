package io.sparking.flume.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.apache.flume.Context;
import org.junit.jupiter.api.Test;

class SparkingSinkConfigTest {

  @Test
  void onlyThePortIsRequiredAndTheRestHasDocumentedDefaults() {
    SparkingSinkConfig config = SparkingSinkConfig.from(new Context(Map.of("port", "9999")));
    assertThat(config.hostname()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(9999);
    assertThat(config.threads()).isEqualTo(10);
    assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.batchWait()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.maxBatchSize()).isEqualTo(10_000);
  }

  @Test
  void missingPortNamesTheKey() {
    assertThatThrownBy(() -> SparkingSinkConfig.from(new Context()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'port' is missing");
  }

  @Test
  void badValuesNameTheKeyTheValueAndTheValidRange() {
    assertThatThrownBy(() -> SparkingSinkConfig.from(new Context(Map.of("port", "99999"))))
        .hasMessageContaining("'port' = 99999")
        .hasMessageContaining("1 to 65535");
    assertThatThrownBy(
            () -> SparkingSinkConfig.from(new Context(Map.of("port", "1", "threads", "ten"))))
        .hasMessageContaining("'threads' = 'ten'")
        .hasMessageContaining("not a whole number");
    assertThatThrownBy(
            () -> SparkingSinkConfig.from(new Context(Map.of("port", "1", "timeout", "0"))))
        .hasMessageContaining("'timeout' = 0");
    assertThatThrownBy(
            () -> SparkingSinkConfig.from(new Context(Map.of("port", "1", "batchWait", "-5"))))
        .hasMessageContaining("'batchWait' = -5");
    assertThatThrownBy(
            () -> SparkingSinkConfig.from(new Context(Map.of("port", "1", "maxBatchSize", "0"))))
        .hasMessageContaining("'maxBatchSize' = 0");
    assertThatThrownBy(
            () -> SparkingSinkConfig.from(new Context(Map.of("port", "1", "hostname", " "))))
        .hasMessageContaining("'hostname' is empty");
  }
}

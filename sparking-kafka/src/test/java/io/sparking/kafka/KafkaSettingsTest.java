package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

  @Test
  void zooKeeperAddressesAreRejectedWithAnExplanation() {
    assertThatThrownBy(() -> KafkaSettings.builder("localhost:2181", "g").topics("t").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("localhost:2181")
        .hasMessageContaining("ZooKeeper")
        .hasMessageContaining("localhost:9092");
    assertThatThrownBy(() -> BootstrapServers.validate("zk1:2182,zk2:2182/kafka"))
        .hasMessageContaining("ZooKeeper");
  }

  @Test
  void malformedBootstrapServersNameTheBadEntry() {
    assertThatThrownBy(() -> BootstrapServers.validate("broker"))
        .hasMessageContaining("bootstrap.servers=broker is missing a port in 'broker'");
    assertThatThrownBy(() -> BootstrapServers.validate("broker:ninety"))
        .hasMessageContaining("unparsable port 'ninety'");
    assertThatThrownBy(() -> BootstrapServers.validate("broker:70000"))
        .hasMessageContaining("port 70000 in 'broker:70000', out of range");
    assertThatThrownBy(() -> BootstrapServers.validate("a:1,,b:2"))
        .hasMessageContaining("empty entry");
    assertThat(BootstrapServers.validate("a:9092,b:9093")).isEqualTo("a:9092,b:9093");
  }

  @Test
  void settingsThatWouldLoseOrMisreadDataAreRejected() {
    var builder = KafkaSettings.builder("localhost:9092", "g").topics("t");
    assertThatThrownBy(() -> builder.consumerProperty("enable.auto.commit", "true").build())
        .hasMessageContaining("enable.auto.commit=true");
    assertThatThrownBy(
            () ->
                KafkaSettings.builder("localhost:9092", "g")
                    .topics("t")
                    .consumerProperty("value.deserializer", "x.Y")
                    .build())
        .hasMessageContaining("raw bytes");
    assertThatThrownBy(() -> KafkaSettings.builder("localhost:9092", "").topics("t").build())
        .hasMessage(
            "group.id='' is empty: pass the consumer group whose committed offsets the stream resumes"
                + " from, such as \"word-count\"");
    assertThatThrownBy(() -> KafkaSettings.builder("localhost:9092", "g").build())
        .hasMessageContaining("either topics or partitions");
    assertThatThrownBy(
            () ->
                KafkaSettings.builder("localhost:9092", "g")
                    .topics("t")
                    .threadsPerReceiver(0)
                    .build())
        .hasMessageContaining("threadsPerReceiver=0");
  }

  @Test
  void consumerSettingsPassThroughAndSafetySettingsWin() {
    KafkaSettings settings =
        KafkaSettings.builder("localhost:9092", "g")
            .topics("t")
            .consumerProperty("security.protocol", "SASL_SSL")
            .consumerProperty("sasl.mechanism", "SCRAM-SHA-512")
            .consumerProperty("auto.offset.reset", "latest")
            .build();
    assertThat(settings.consumerConfig())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("auto.offset.reset", "latest")
        .containsEntry("enable.auto.commit", false)
        .containsEntry("group.id", "g")
        .containsEntry("bootstrap.servers", "localhost:9092");
    assertThat(KafkaSettings.builder("h:1", "g").topics("t").build().consumerConfig())
        .containsEntry("auto.offset.reset", "earliest");
  }

  @Test
  void partitionSetsReplaceTopics() {
    KafkaSettings settings =
        KafkaSettings.builder("h:1", "g")
            .topics("t")
            .build()
            .withPartitions(List.of(new TopicPartition("t", 3)));
    assertThat(settings.topics()).isEmpty();
    assertThat(settings.partitions()).containsExactly(new TopicPartition("t", 3));
    assertThat(settings.name()).isEqualTo("kafka[[t-3]]");
  }

  @Test
  void recordsSurviveJavaSerialization() throws Exception {
    KafkaRecord record =
        new KafkaRecord(
            "t",
            1,
            42,
            1000L,
            "k".getBytes(),
            "v".getBytes(),
            List.of(new KafkaHeader("h", "x".getBytes())));
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(record);
    }
    try (var in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      KafkaRecord copy = (KafkaRecord) in.readObject();
      assertThat(copy).isEqualTo(record);
      assertThat(copy.valueAsString()).isEqualTo("v");
      assertThat(copy.headers().get(0).valueAsString()).isEqualTo("x");
    }
  }

  @Test
  void recordsOfEveryShapeSurviveTheCompactSerializedForm() throws Exception {
    List<KafkaRecord> records =
        List.of(
            new KafkaRecord("t", 0, 0, -1L, null, null, List.of()),
            new KafkaRecord(
                "t",
                3,
                Long.MAX_VALUE,
                5L,
                new byte[0],
                "é".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                List.of(
                    new KafkaHeader("a", null),
                    new KafkaHeader("a", new byte[] {1, 2}),
                    new KafkaHeader("", new byte[0]))),
            new KafkaRecord("other", 1, 7, 9L, "k".getBytes(), new byte[100], List.of()));
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      for (KafkaRecord r : records) {
        out.writeObject(r);
      }
    }
    try (var in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      for (KafkaRecord r : records) {
        KafkaRecord copy = (KafkaRecord) in.readObject();
        assertThat(copy).isEqualTo(r);
        assertThat(copy.key()).isEqualTo(r.key());
        assertThat(copy.value()).isEqualTo(r.value());
        assertThat(copy.headers()).containsExactlyElementsOf(r.headers());
      }
    }
  }

  @Test
  void aBlockOfRecordsSerializesToLittleMoreThanItsPayload() throws Exception {
    // What a receiver's block costs in Spark's block store and the write-ahead log: 1000 records of
    // 100 bytes.
    var bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      for (int i = 0; i < 1000; i++) {
        out.writeObject(new KafkaRecord("topic", 2, i, 1000L + i, null, new byte[100], List.of()));
      }
    }
    // Payload 100 bytes; fields 32 bytes; object header and back-references a few more.
    assertThat(bytes.size()).isLessThan(1000 * 150);
  }
}

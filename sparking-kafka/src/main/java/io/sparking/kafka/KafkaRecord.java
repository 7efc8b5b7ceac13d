package io.sparking.kafka;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record as Spark receives it: where it came from (topic, partition, offset), its timestamp, key, value
 * and headers. Immutable and serializable, so it can live in Spark blocks, the write-ahead log and shuffles.
 *
 * <p>Keys and values are the raw bytes from the broker; {@link #valueAsString()} and {@link #keyAsString()} decode
 * UTF-8 for the common text case.
 */
public final class KafkaRecord implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String topic;
  private final int partition;
  private final long offset;
  private final long timestamp;
  private final byte[] key;
  private final byte[] value;
  private final List<KafkaHeader> headers;

  /**
   * Creates a record.
   *
   * @param key the key bytes, or null
   * @param value the value bytes, or null (a tombstone)
   * @param headers the headers in broker order
   */
  public KafkaRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value,
      List<KafkaHeader> headers) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.partition = partition;
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.headers = List.copyOf(headers);
  }

  /** Copies a record that a {@code KafkaConsumer<byte[], byte[]>} returned. */
  public static KafkaRecord from(ConsumerRecord<byte[], byte[]> record) {
    List<KafkaHeader> headers = new ArrayList<>();
    for (Header h : record.headers()) {
      headers.add(new KafkaHeader(h.key(), h.value()));
    }
    return new KafkaRecord(record.topic(), record.partition(), record.offset(), record.timestamp(), record.key(),
        record.value(), headers);
  }

  /** The topic the record was read from. */
  public String topic() {
    return topic;
  }

  /** The partition of {@link #topic()} the record was read from. */
  public int partition() {
    return partition;
  }

  /** The record's offset in its partition. */
  public long offset() {
    return offset;
  }

  /** The record's timestamp in epoch milliseconds (create or log-append time, as the topic is configured). */
  public long timestamp() {
    return timestamp;
  }

  /** The key bytes, or null. The array is the record's own: do not change it. */
  public byte[] key() {
    return key;
  }

  /** The value bytes, or null for a tombstone. The array is the record's own: do not change it. */
  public byte[] value() {
    return value;
  }

  /** The key decoded as UTF-8, or null. */
  public String keyAsString() {
    return key == null ? null : new String(key, StandardCharsets.UTF_8);
  }

  /** The value decoded as UTF-8, or null. */
  public String valueAsString() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** The headers, in the order the broker returned them (keys may repeat). */
  public List<KafkaHeader> headers() {
    return headers;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof KafkaRecord r)) {
      return false;
    }
    return partition == r.partition && offset == r.offset && timestamp == r.timestamp && topic.equals(r.topic)
        && Arrays.equals(key, r.key) && Arrays.equals(value, r.value) && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }
}

package io.sparking.kafka;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoSerializable;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparking.kafka.internal.KafkaRecordFormat;
import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectInput;
import java.io.ObjectInputStream;
import java.io.ObjectOutput;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One Kafka record as Spark receives it: where it came from (topic, partition, offset), its
 * timestamp, key, value and headers. Immutable and serializable, so it can live in Spark blocks,
 * the write-ahead log and shuffles.
 *
 * <p>Keys and values are the raw bytes from the broker; {@link #valueAsString()} and {@link
 * #keyAsString()} decode UTF-8 for the common text case.
 *
 * <p>Java serialization writes a compact form (a serialization proxy): receivers serialize every
 * record into Spark blocks and the write-ahead log, and tasks deserialize them again, so the
 * default field-by-field form (with a nested object per header list) was the largest cost of the
 * receiver path. Kryo ({@code spark.serializer= org.apache.spark.serializer.KryoSerializer}) writes
 * the same fields through {@link KryoSerializable}; its field serializer could not rebuild the
 * immutable header list, and this form is smaller and quicker still.
 */
public final class KafkaRecord implements Serializable, KryoSerializable {
  private static final long serialVersionUID = 1L;

  // Not final only so that Kryo's read can set them; nothing changes them after construction or
  // read.
  private String topic;
  private int partition;
  private long offset;
  private long timestamp;
  private byte[] key;
  private byte[] value;
  private List<KafkaHeader> headers;

  /**
   * Creates a record.
   *
   * @param key the key bytes, or null
   * @param value the value bytes, or null (a tombstone)
   * @param headers the headers in broker order
   */
  public KafkaRecord(
      String topic,
      int partition,
      long offset,
      long timestamp,
      byte[] key,
      byte[] value,
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
    Header[] raw = record.headers().toArray();
    // Most records carry no headers: share the empty list rather than build one per record.
    List<KafkaHeader> headers = List.of();
    if (raw.length > 0) {
      KafkaHeader[] copied = new KafkaHeader[raw.length];
      for (int i = 0; i < raw.length; i++) {
        copied[i] = new KafkaHeader(raw[i].key(), raw[i].value());
      }
      headers = List.of(copied);
    }
    return new KafkaRecord(
        record.topic(),
        record.partition(),
        record.offset(),
        record.timestamp(),
        record.key(),
        record.value(),
        headers);
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

  /**
   * The record's timestamp in epoch milliseconds (create or log-append time, as the topic is
   * configured).
   */
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
    return partition == r.partition
        && offset == r.offset
        && timestamp == r.timestamp
        && topic.equals(r.topic)
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }

  /**
   * Kryo's form: the layout of a record in a receiver's packed block ({@code KafkaRecordFormat}),
   * the fields one after the other, numbers as variable-length integers where they are small.
   */
  @Override
  public void write(Kryo kryo, Output out) {
    KafkaRecordFormat.INSTANCE.write(this, null, out);
  }

  @Override
  public void read(Kryo kryo, Input in) {
    KafkaRecord read = KafkaRecordFormat.INSTANCE.read(null, in);
    topic = read.topic;
    partition = read.partition;
    offset = read.offset;
    timestamp = read.timestamp;
    key = read.key;
    value = read.value;
    headers = read.headers;
  }

  private Object writeReplace() {
    return new SerializedForm(this);
  }

  /**
   * A record is only ever read through its {@link SerializedForm}; a stream claiming otherwise is
   * forged.
   */
  private void readObject(ObjectInputStream in) throws java.io.InvalidObjectException {
    throw new java.io.InvalidObjectException(
        "KafkaRecord is serialized through its SerializedForm");
  }

  /**
   * The serialized form of a {@link KafkaRecord}: the fields written one after the other, byte
   * arrays as a length (-1 for null) and their bytes. The topic goes through {@code writeObject},
   * so a block of records from one topic holds it once and back-references after that.
   */
  private static final class SerializedForm implements Externalizable {
    private static final long serialVersionUID = 1L;
    private KafkaRecord record;

    /** For deserialization only. */
    public SerializedForm() {}

    SerializedForm(KafkaRecord record) {
      this.record = record;
    }

    @Override
    public void writeExternal(ObjectOutput out) throws IOException {
      KafkaRecord r = record;
      out.writeObject(r.topic);
      out.writeInt(r.partition);
      out.writeLong(r.offset);
      out.writeLong(r.timestamp);
      writeBytes(out, r.key);
      writeBytes(out, r.value);
      out.writeInt(r.headers.size());
      for (KafkaHeader h : r.headers) {
        out.writeUTF(h.key());
        writeBytes(out, h.value());
      }
    }

    @Override
    public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
      String topic = (String) in.readObject();
      int partition = in.readInt();
      long offset = in.readLong();
      long timestamp = in.readLong();
      byte[] key = readBytes(in);
      byte[] value = readBytes(in);
      int count = in.readInt();
      List<KafkaHeader> headers = List.of();
      if (count > 0) {
        KafkaHeader[] read = new KafkaHeader[count];
        for (int i = 0; i < count; i++) {
          read[i] = new KafkaHeader(in.readUTF(), readBytes(in));
        }
        headers = List.of(read);
      } else if (count < 0) {
        throw new java.io.StreamCorruptedException("KafkaRecord with " + count + " headers");
      }
      record = new KafkaRecord(topic, partition, offset, timestamp, key, value, headers);
    }

    private Object readResolve() {
      return record;
    }

    private static void writeBytes(ObjectOutput out, byte[] bytes) throws IOException {
      if (bytes == null) {
        out.writeInt(-1);
      } else {
        out.writeInt(bytes.length);
        out.write(bytes);
      }
    }

    private static byte[] readBytes(ObjectInput in) throws IOException {
      int length = in.readInt();
      if (length < 0) {
        return null;
      }
      byte[] bytes = new byte[length];
      in.readFully(bytes);
      return bytes;
    }
  }
}

package io.sparking.kafka.internal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparking.core.spi.RecordFormat;
import io.sparking.kafka.KafkaHeader;
import io.sparking.kafka.KafkaRecord;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A {@link KafkaRecord} in a pack: topic (or a null string when it is the previous record's),
 * partition, offset, timestamp, key, value, headers. Byte arrays are written as their length plus
 * one (0 for null) and their bytes.
 */
public enum KafkaRecordFormat implements RecordFormat<KafkaRecord> {
  INSTANCE;

  @Override
  public void write(KafkaRecord record, KafkaRecord previous, Output out) {
    // Records of a pack mostly share a topic: null (one byte) stands for the previous record's.
    boolean sameTopic = previous != null && previous.topic().equals(record.topic());
    out.writeString(sameTopic ? null : record.topic());
    out.writeVarInt(record.partition(), true);
    out.writeVarLong(record.offset(), true);
    out.writeLong(record.timestamp());
    writeBytes(out, record.key());
    writeBytes(out, record.value());
    List<KafkaHeader> headers = record.headers();
    out.writeVarInt(headers.size(), true);
    for (KafkaHeader header : headers) {
      out.writeString(header.key());
      writeBytes(out, header.value());
    }
  }

  /**
   * Appends {@code records} to {@code out} exactly as {@link #write} appends the {@link
   * KafkaRecord}s made from them, without making them: a consumer thread packs what it polled
   * straight away. Returns their key and value bytes.
   */
  static long writeAll(List<ConsumerRecord<byte[], byte[]>> records, Output out) {
    long dataBytes = 0;
    String previousTopic = null;
    for (ConsumerRecord<byte[], byte[]> record : records) {
      out.writeString(record.topic().equals(previousTopic) ? null : record.topic());
      previousTopic = record.topic();
      out.writeVarInt(record.partition(), true);
      out.writeVarLong(record.offset(), true);
      out.writeLong(record.timestamp());
      writeBytes(out, record.key());
      writeBytes(out, record.value());
      Header[] headers = record.headers().toArray();
      out.writeVarInt(headers.length, true);
      for (Header header : headers) {
        out.writeString(header.key());
        writeBytes(out, header.value());
      }
      dataBytes += length(record.key()) + length(record.value());
    }
    return dataBytes;
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  @Override
  public KafkaRecord read(KafkaRecord previous, Input in) {
    String topic = in.readString();
    if (topic == null) {
      if (previous == null) {
        throw new KryoException("a pack's first KafkaRecord refers to a previous record's topic");
      }
      // The same String instance, as records from one consumer poll share it.
      topic = previous.topic();
    }
    int partition = in.readVarInt(true);
    long offset = in.readVarLong(true);
    long timestamp = in.readLong();
    byte[] key = readBytes(in);
    byte[] value = readBytes(in);
    int count = in.readVarInt(true);
    if (count < 0) {
      throw new KryoException("KafkaRecord with " + count + " headers");
    }
    List<KafkaHeader> headers = List.of();
    if (count > 0) {
      KafkaHeader[] read = new KafkaHeader[count];
      for (int i = 0; i < count; i++) {
        read[i] = new KafkaHeader(in.readString(), readBytes(in));
      }
      headers = List.of(read);
    }
    return new KafkaRecord(topic, partition, offset, timestamp, key, value, headers);
  }

  private static void writeBytes(Output out, byte[] bytes) {
    if (bytes == null) {
      out.writeVarInt(0, true);
    } else {
      out.writeVarInt(bytes.length + 1, true);
      out.writeBytes(bytes);
    }
  }

  private static byte[] readBytes(Input in) {
    int lengthPlusOne = in.readVarInt(true);
    return lengthPlusOne == 0 ? null : in.readBytes(lengthPlusOne - 1);
  }
}

package io.sparking.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparking.core.spi.PackedRecords;
import io.sparking.kafka.KafkaRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * The consumer threads pack polled records straight from Kafka's {@code ConsumerRecord}s; a task
 * reads them back as {@link KafkaRecord}s. Both ends must agree on every byte with the format's
 * record-by-record writer, which blocks in write-ahead logs of earlier releases were written with.
 */
class KafkaRecordFormatTest {

  @Test
  void packingPolledRecordsWritesTheSameBytesAsWritingTheirKafkaRecords() {
    List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      RecordHeaders headers = new RecordHeaders();
      if (i % 7 == 0) {
        headers.add(new RecordHeader("trace", bytes("t" + i)));
        headers.add(new RecordHeader("empty", null));
      }
      polled.add(
          new ConsumerRecord<>(
              i % 10 < 5 ? "clicks" : "views",
              i % 3,
              1_000L + i,
              1_700_000_000_000L + i,
              TimestampType.CREATE_TIME,
              i % 4 == 0 ? -1 : 2,
              i % 5 == 0 ? -1 : 3,
              i % 4 == 0 ? null : bytes("k" + i),
              i % 5 == 0 ? null : bytes("value-" + i),
              headers,
              Optional.empty()));
    }

    Output packed = new Output(1024, -1);
    long dataBytes = KafkaRecordFormat.writeAll(polled, packed);

    Output oneByOne = new Output(1024, -1);
    List<KafkaRecord> expected = new ArrayList<>();
    KafkaRecord previous = null;
    long expectedBytes = 0;
    for (ConsumerRecord<byte[], byte[]> record : polled) {
      KafkaRecord made = KafkaRecord.from(record);
      KafkaRecordFormat.INSTANCE.write(made, previous, oneByOne);
      previous = made;
      expected.add(made);
      expectedBytes += length(made.key()) + length(made.value());
    }

    assertThat(packed.toBytes()).isEqualTo(oneByOne.toBytes());
    assertThat(dataBytes).isEqualTo(expectedBytes);

    List<KafkaRecord> read = new ArrayList<>();
    PackedRecords.of(KafkaRecordFormat.INSTANCE, polled.size(), packed.toBytes())
        .iterator()
        .forEachRemaining(read::add);
    assertThat(read).isEqualTo(expected);
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i).headers()).isEqualTo(expected.get(i).headers());
    }
    // Nothing left over after the last record.
    Input in = new Input(packed.toBytes());
    previous = null;
    for (int i = 0; i < polled.size(); i++) {
      previous = KafkaRecordFormat.INSTANCE.read(previous, in);
    }
    assertThat(in.eof()).isTrue();
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}

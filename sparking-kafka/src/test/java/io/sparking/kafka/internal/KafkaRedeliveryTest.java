package io.sparking.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.core.spi.Redelivery;
import io.sparking.kafka.KafkaRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The ledger and filters a receiver stream drops read-again records with, over blocks as the
 * receiver describes them; the end-to-end case is {@code ReceiverRestartTest}.
 */
class KafkaRedeliveryTest {
  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);
  private static final KafkaRedelivery REDELIVERY = KafkaRedelivery.INSTANCE;

  @Test
  void blocksPastWhatWasDeliveredAreReadWhole() {
    DeliveredOffsets delivered = REDELIVERY.nothingDelivered();
    BlockOffsets first = block(Map.of(P0, range(0, 100), P1, range(0, 50)));
    assertThat(REDELIVERY.filter(delivered, first)).isNull();
    delivered = REDELIVERY.after(delivered, first);
    BlockOffsets next = block(Map.of(P0, range(100, 200)));
    assertThat(REDELIVERY.filter(delivered, next)).isNull();
    assertThat(REDELIVERY.after(delivered, next).next()).isEqualTo(Map.of(P0, 200L, P1, 50L));
  }

  @Test
  void aBlockReadAgainFromAnEarlierOffsetKeepsOnlyTheRecordsPastTheDeliveredOnes() {
    DeliveredOffsets delivered =
        REDELIVERY.after(
            REDELIVERY.nothingDelivered(), block(Map.of(P0, range(0, 100), P1, range(0, 50))));
    // The restarted receiver read P0 again from 60 and P1 from 50 (committed there).
    BlockOffsets again = block(Map.of(P0, range(60, 130), P1, range(50, 70)));

    Redelivery.BlockFilter filter = REDELIVERY.filter(delivered, again);

    assertThat(filter).isNotNull();
    List<KafkaRecord> kept = read(filter, records(P0, 60, 130), records(P1, 50, 70));
    assertThat(kept)
        .filteredOn(r -> r.partition() == 0)
        .extracting(KafkaRecord::offset)
        .containsExactlyElementsOf(offsets(100, 130));
    assertThat(kept)
        .filteredOn(r -> r.partition() == 1)
        .extracting(KafkaRecord::offset)
        .containsExactlyElementsOf(offsets(50, 70));
    assertThat(REDELIVERY.after(delivered, again).next()).isEqualTo(Map.of(P0, 130L, P1, 70L));
  }

  @Test
  void runsOfOnePartitionReadTwiceWithinABlockAreKeptOnce() {
    BlockOffsets.Range range = range(0, 100).then(40, 120);
    assertThat(range).isEqualTo(new BlockOffsets.Range(0, 120, false));
    Redelivery.BlockFilter filter =
        REDELIVERY.filter(REDELIVERY.nothingDelivered(), block(Map.of(P0, range)));

    List<KafkaRecord> kept = read(filter, records(P0, 0, 100), records(P0, 40, 120));

    assertThat(kept).extracting(KafkaRecord::offset).containsExactlyElementsOf(offsets(0, 120));
  }

  @Test
  void aFilterTravelsSerializedAndEachReadStartsAfresh() throws Exception {
    DeliveredOffsets delivered =
        REDELIVERY.after(REDELIVERY.nothingDelivered(), block(Map.of(P0, range(0, 10))));
    Redelivery.BlockFilter filter =
        roundTrip(REDELIVERY.filter(delivered, block(Map.of(P0, range(5, 15)))));

    assertThat(read(filter, records(P0, 5, 15))).hasSize(5);
    assertThat(read(filter, records(P0, 5, 15))).as("a second read of the block").hasSize(5);
    assertThat(roundTrip(delivered)).isEqualTo(delivered);
  }

  private static List<Long> offsets(long from, long until) {
    return java.util.stream.LongStream.range(from, until).boxed().toList();
  }

  private static BlockOffsets block(Map<TopicPartition, BlockOffsets.Range> ranges) {
    return new BlockOffsets(ranges);
  }

  private static BlockOffsets.Range range(long from, long until) {
    return new BlockOffsets.Range(from, until, true);
  }

  private static List<KafkaRecord> records(TopicPartition partition, long from, long until) {
    List<KafkaRecord> records = new ArrayList<>();
    for (long offset = from; offset < until; offset++) {
      records.add(
          new KafkaRecord(
              partition.topic(), partition.partition(), offset, 0L, null, new byte[0], List.of()));
    }
    return records;
  }

  @SafeVarargs
  private static List<KafkaRecord> read(Redelivery.BlockFilter filter, List<KafkaRecord>... runs) {
    Predicate<Object> keep = filter.newRead();
    List<KafkaRecord> kept = new ArrayList<>();
    for (List<KafkaRecord> run : runs) {
      run.stream().filter(keep).forEach(kept::add);
    }
    return kept;
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}

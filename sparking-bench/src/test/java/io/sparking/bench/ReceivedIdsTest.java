package io.sparking.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** A run passes only when every id sent arrived exactly once and nothing else arrived. */
class ReceivedIdsTest {
  private static final int SIZE = 100;

  @Test
  void everyIdOnceIsDelivered() {
    ReceivedIds ids = new ReceivedIds(1_000);
    LongStream.range(0, 1_000).parallel().forEach(i -> ids.record(idOf(i)));

    assertThat(ids.distinct()).isEqualTo(1_000);
    assertThat(ids.delivery())
        .isEqualTo(new ReceivedIds.Delivery(1_000, 0, 0, List.of(), List.of(), List.of()));
    assertThat(ids.delivery().problem(1_000)).isNull();
    Runner.requireDelivered(ids.delivery(), 1_000);
  }

  @Test
  void aDuplicateAndAGapFailTheRunAndAreNamed() {
    ReceivedIds ids = new ReceivedIds(1_000);
    for (long i = 0; i < 1_000; i++) {
      if (i != 999) {
        ids.record(idOf(i));
      }
    }
    // Record 7 twice: as many records as were sent arrived, yet one id is missing.
    ids.record(idOf(7));

    assertThat(ids.distinct()).isEqualTo(999);
    assertThatThrownBy(() -> Runner.requireDelivered(ids.delivery(), 1_000))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("ids: 999 distinct of 1,000: 1 lost (999), 1 duplicates (7), 0 unknown");
  }

  @Test
  void aDuplicateAloneFailsTheRun() {
    ReceivedIds ids = new ReceivedIds(3);
    ids.record(idOf(0));
    ids.record(idOf(1));
    ids.record(idOf(1));
    ids.record(idOf(2));

    assertThat(ids.distinct()).isEqualTo(3);
    assertThatThrownBy(() -> Runner.requireDelivered(ids.delivery(), 3))
        .hasMessage("ids: 3 distinct of 3: 0 lost, 1 duplicates (1), 0 unknown");
    assertThatThrownBy(() -> Runner.requireDelivered(null, 3)).hasMessage("ids: none reported");
  }

  @Test
  void idsNotSentAndPayloadsWithoutAnIdAreUnknown() {
    ReceivedIds ids = new ReceivedIds(2);
    ids.record(idOf(0));
    ids.record(idOf(1));
    ids.record(idOf(2));
    ids.record(BenchData.id("not an id at all".getBytes(StandardCharsets.US_ASCII)));
    ids.record(BenchData.id(new byte[5]));

    assertThat(ids.delivery().problem(2))
        .isEqualTo("ids: 2 distinct of 2: 0 lost, 0 duplicates, 3 unknown (2, no id, no id)");
  }

  @Test
  void aFailureNamesTheFirstFewIdsOfEachKindAndTheyCrossTheProtocolLine() {
    ReceivedIds ids = new ReceivedIds(100);
    for (long i = 0; i < 100; i += 2) {
      ids.record(idOf(i));
      ids.record(idOf(i));
    }
    ReceivedIds.Delivery delivery = ids.delivery();

    assertThat(delivery.problem(100))
        .isEqualTo(
            "ids: 50 distinct of 100: 50 lost (1, 3, 5, 7, 9, ...),"
                + " 50 duplicates (0, 2, 4, 6, 8, ...), 0 unknown");
    assertThat(ReceivedIds.Delivery.parse(delivery.toLine())).isEqualTo(delivery);
    assertThat(delivery.toLine()).isEqualTo("50 50 0 1,3,5,7,9 0,2,4,6,8 -");
  }

  @Test
  void theIdIsReadAlikeFromAnArrayAndFromABufferLeftUnchanged() {
    byte[] payload = BenchData.timedPayload(123_456_789_012L, 1_700_000_000_000L, SIZE);
    ByteBuffer buffer = ByteBuffer.allocate(SIZE + 3);
    buffer.put(new byte[3]).put(payload).flip().position(3);

    assertThat(BenchData.id(payload)).isEqualTo(123_456_789_012L);
    assertThat(BenchData.id(buffer)).isEqualTo(123_456_789_012L);
    assertThat(buffer.position()).isEqualTo(3);
    assertThat(BenchData.id(BenchData.payload(42, BenchData.ID_DIGITS))).isEqualTo(42);
  }

  @Test
  void aPayloadTooShortForTheIdIsRefusedUpFront() {
    assertThatThrownBy(
            () ->
                new BenchConfig(
                    1_000, 11, 1, Set.of("kafka"), Duration.ofSeconds(1), Path.of("results")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("size=11 is out of range")
        .hasMessageContaining("12-digit id");
  }

  private static long idOf(long i) {
    return BenchData.id(BenchData.payload(i, SIZE));
  }
}

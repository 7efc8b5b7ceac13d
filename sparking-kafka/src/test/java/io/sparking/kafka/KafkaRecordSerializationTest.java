package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.DeserializationStream;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Records go through Spark's serializer on every receiver path (blocks, write-ahead log) and in
 * shuffles: they must come back equal, headers and null keys included, with Java serialization
 * (Spark's default) and with Kryo (the serializer most production jobs set), one at a time and as a
 * stream of many like a block.
 */
class KafkaRecordSerializationTest {
  private static final ClassTag<KafkaRecord> TAG = ClassTag$.MODULE$.apply(KafkaRecord.class);

  private static final List<KafkaRecord> RECORDS =
      List.of(
          new KafkaRecord("clicks", 0, 0, 1_700_000_000_000L, null, bytes("v0"), List.of()),
          new KafkaRecord("clicks", 3, 1L << 40, -1, bytes("k"), null, List.of()),
          new KafkaRecord(
              "views",
              2_000,
              42,
              5,
              bytes(""),
              bytes("x".repeat(70_000)),
              List.of(
                  new KafkaHeader("trace", bytes("abc")),
                  new KafkaHeader("empty", null),
                  new KafkaHeader("ü-ñ", new byte[0]))));

  /** Spark's default serializer and the one most production jobs set. */
  static Stream<Serializer> serializers() {
    return Stream.of(new JavaSerializer(new SparkConf()), new KryoSerializer(new SparkConf()));
  }

  @ParameterizedTest
  @MethodSource("serializers")
  void recordsRoundTrip(Serializer serializer) {
    assertRoundTrips(serializer);
  }

  @Test
  void kryoWritesARecordCompactly() {
    // Registered (as docs/performance.md advises), Kryo writes a class id instead of the class name
    // per record.
    SerializerInstance kryo =
        new KryoSerializer(
                new SparkConf().set("spark.kryo.classesToRegister", KafkaRecord.class.getName()))
            .newInstance();
    KafkaRecord record =
        new KafkaRecord("bench", 1, 123_456, 1_700_000_000_000L, null, new byte[100], List.of());
    // Class id, topic, varint partition and offset, 8-byte timestamp, key and value lengths, 100
    // bytes, header count.
    assertThat(kryo.serialize(record, TAG).remaining()).isLessThan(130);
    assertThat(kryo.deserialize(kryo.serialize(record, TAG), TAG)).isEqualTo(record);
  }

  @ParameterizedTest
  @MethodSource("serializers")
  void packedBlocksRoundTrip(Serializer serializer) {
    assertPackedRoundTrips(serializer);
  }

  /**
   * A receiver's block as it stores it: its records in packs, written by Spark's serializer as a
   * stream of packs, read back and unpacked in order.
   */
  private static void assertPackedRoundTrips(Serializer serializer) {
    List<KafkaRecord> block = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      // Topics change between records (a pack leaves out only a topic equal to the previous one).
      block.add(RECORDS.get(i % RECORDS.size()));
      block.add(
          new KafkaRecord(
              "bench", i % 4, i, 1_700_000_000_000L + i, null, bytes("v" + i), List.of()));
    }
    // Bigger than a pack alone: the packing buffer grows for it, and the packs after it still come
    // out right.
    block.add(500, new KafkaRecord("big", 0, 7, 0, null, bytes("b".repeat(600_000)), List.of()));
    List<io.sparking.core.spi.PackedRecords<KafkaRecord>> packs =
        io.sparking.core.spi.PackedRecords.pack(
            io.sparking.kafka.internal.KafkaRecordFormat.INSTANCE, block);
    assertThat(packs).as("a block of 23 MB fills several packs").hasSizeGreaterThan(1);
    SerializerInstance instance = serializer.newInstance();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    SerializationStream stream = instance.serializeStream(out);
    ClassTag<Object> any = ClassTag$.MODULE$.AnyRef();
    packs.forEach(pack -> stream.writeObject(pack, any));
    stream.close();
    DeserializationStream in =
        instance.deserializeStream(new java.io.ByteArrayInputStream(out.toByteArray()));
    List<KafkaRecord> read = new ArrayList<>();
    scala.collection.Iterator<Object> it = in.asIterator();
    while (it.hasNext()) {
      @SuppressWarnings("unchecked")
      io.sparking.core.spi.PackedRecords<KafkaRecord> pack =
          (io.sparking.core.spi.PackedRecords<KafkaRecord>) it.next();
      pack.iterator().forEachRemaining(read::add);
    }
    assertThat(read).isEqualTo(block);
    for (int i = 0; i < read.size(); i++) {
      assertThat(read.get(i).headers()).isEqualTo(block.get(i).headers());
      assertThat(read.get(i).key()).isEqualTo(block.get(i).key());
    }
  }

  private static void assertRoundTrips(Serializer serializer) {
    SerializerInstance instance = serializer.newInstance();
    for (KafkaRecord record : RECORDS) {
      ByteBuffer bytes = instance.serialize(record, TAG);
      KafkaRecord back = instance.deserialize(bytes, TAG);
      assertThat(back).isEqualTo(record);
      assertThat(back.headers()).isEqualTo(record.headers());
      assertThat(back.key()).isEqualTo(record.key());
    }
    // A block: many records in one stream, as a receiver stores them.
    List<KafkaRecord> block = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      block.add(RECORDS.get(i % RECORDS.size()));
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    SerializationStream stream = instance.serializeStream(out);
    block.forEach(r -> stream.writeObject(r, TAG));
    stream.close();
    DeserializationStream in =
        instance.deserializeStream(new java.io.ByteArrayInputStream(out.toByteArray()));
    List<KafkaRecord> read = new ArrayList<>();
    scala.collection.Iterator<Object> it = in.asIterator();
    while (it.hasNext()) {
      read.add((KafkaRecord) it.next());
    }
    assertThat(read).isEqualTo(block);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

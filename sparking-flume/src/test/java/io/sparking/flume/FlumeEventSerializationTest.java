package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Events survive both of Spark's serializers unchanged (headers in order, long and non-ASCII
 * values, empty and binary bodies), and the Java form stays compact.
 */
class FlumeEventSerializationTest {
  private static final ClassTag<FlumeEvent> TAG = ClassTag$.MODULE$.apply(FlumeEvent.class);

  private static List<FlumeEvent> samples() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("timestamp", "1764100000000");
    headers.put("host", "höst-ünïcode-✓");
    headers.put("long", "x".repeat(70_000)); // longer than DataOutput.writeUTF allows
    headers.put("", "");
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    return List.of(
        FlumeEvent.of(headers, binary),
        FlumeEvent.of(Map.of(), new byte[0]),
        FlumeEvent.ofString("a"));
  }

  @Test
  void javaSerializationKeepsHeadersInOrderAndBody() {
    assertRoundTrips(new JavaSerializer(new SparkConf()));
  }

  @Test
  void kryoSerializationKeepsHeadersInOrderAndBody() {
    assertRoundTrips(new KryoSerializer(new SparkConf()));
  }

  @Test
  void javaFormOfAHeaderlessHundredByteEventStaysSmall() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      FlumeEvent event = FlumeEvent.of(Map.of(), new byte[100]);
      for (int i = 0; i < 100; i++) {
        out.writeObject(event);
        out.reset(); // as Spark's JavaSerializer does every 100 objects; the worst case is a reset
        // per event
      }
    }
    // The default form of a LinkedHashMap and a byte[] took about 350 bytes per event with a reset
    // each time.
    assertThat(bytes.size() / 100).isLessThan(220);
  }

  private static void assertRoundTrips(Serializer serializer) {
    SerializerInstance instance = serializer.newInstance();
    for (FlumeEvent event : samples()) {
      ByteBuffer serialized = instance.serialize(event, TAG);
      FlumeEvent copy = instance.deserialize(serialized, TAG);
      assertThat(copy).isEqualTo(event);
      assertThat(List.copyOf(copy.headers().keySet()))
          .containsExactlyElementsOf(event.headers().keySet());
      assertThat(copy.body()).isEqualTo(event.body());
    }
  }
}

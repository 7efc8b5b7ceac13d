package io.sparking.compat.flume;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparking.flume.FlumeEvent;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.flume.source.avro.AvroFlumeEvent;

/**
 * A Flume event as Spark 2.4's {@code org.apache.spark.streaming.flume.SparkFlumeEvent} gave it: a
 * public {@link #event} field holding Flume's {@link AvroFlumeEvent}, so {@code e.event.getBody}
 * and {@code e.event.getHeaders} work unchanged. Header names and values are {@link String}s, as
 * they were once Spark 2.4 had read an event back from a serialized block, so {@code
 * getHeaders().get("host")} finds a header.
 *
 * <p>Serializable through {@link Externalizable} (Kryo falls back to the same, since Kryo cannot
 * copy the body's {@link ByteBuffer} field by field on Java 17). New code reads {@link FlumeEvent}
 * from {@code io.sparking.flume.SparkingFlume} instead.
 */
@DefaultSerializer(JavaSerializer.class)
public class SparkFlumeEvent implements Externalizable {
  private static final long serialVersionUID = 1L;

  /**
   * The event: its headers ({@code getHeaders()}) and its body ({@code getBody()}, a {@link
   * ByteBuffer}).
   */
  public AvroFlumeEvent event = new AvroFlumeEvent(new HashMap<>(), ByteBuffer.allocate(0));

  /** An empty event; Java serialization needs this constructor. */
  public SparkFlumeEvent() {}

  /**
   * The event, for Java code written against Spark 2.4, where {@code event()} was the field's
   * accessor.
   */
  public AvroFlumeEvent event() {
    return event;
  }

  /** The event {@code in}, as Spark 2.4's factory of the same name. */
  public static SparkFlumeEvent fromAvroFlumeEvent(AvroFlumeEvent in) {
    SparkFlumeEvent event = new SparkFlumeEvent();
    event.event = in;
    return event;
  }

  /** The Spark 2.4 event for Sparking's {@code event}: the same headers and a copy of its body. */
  public static SparkFlumeEvent from(FlumeEvent event) {
    Map<CharSequence, CharSequence> headers =
        new HashMap<>(Math.max(4, event.headers().size() * 2));
    headers.putAll(event.headers());
    return fromAvroFlumeEvent(new AvroFlumeEvent(headers, ByteBuffer.wrap(event.body())));
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    ByteBuffer body =
        event.getBody() == null ? ByteBuffer.allocate(0) : event.getBody().duplicate();
    out.writeInt(body.remaining());
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    out.write(bytes);
    Map<CharSequence, CharSequence> headers =
        event.getHeaders() == null ? Map.of() : event.getHeaders();
    out.writeInt(headers.size());
    for (Map.Entry<CharSequence, CharSequence> header : headers.entrySet()) {
      writeString(out, header.getKey());
      writeString(out, header.getValue());
    }
  }

  @Override
  public void readExternal(ObjectInput in) throws IOException {
    byte[] body = readBytes(in);
    int count = in.readInt();
    if (count < 0) {
      throw new InvalidObjectException("SparkFlumeEvent with " + count + " headers");
    }
    Map<CharSequence, CharSequence> headers = new HashMap<>(Math.max(4, count * 2));
    for (int i = 0; i < count; i++) {
      headers.put(readString(in), readString(in));
    }
    event = new AvroFlumeEvent(headers, ByteBuffer.wrap(body));
  }

  @Override
  public String toString() {
    return "SparkFlumeEvent{headers="
        + event.getHeaders()
        + ", body="
        + (event.getBody() == null ? 0 : event.getBody().remaining())
        + " bytes}";
  }

  // Not writeUTF: it stops at 64 KB, and Flume sets no limit on a header's length.
  private static void writeString(ObjectOutput out, CharSequence value) throws IOException {
    byte[] utf8 = String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readString(ObjectInput in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(ObjectInput in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new InvalidObjectException("SparkFlumeEvent field of length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }
}

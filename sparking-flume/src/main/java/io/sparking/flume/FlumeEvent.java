package io.sparking.flume;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamField;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Flume event as Spark sees it: the event's headers and its body, immutable and serializable so
 * it can live in Spark blocks and the write-ahead log.
 *
 * <pre>{@code
 * stream.map(FlumeEvent::bodyAsString)
 * }</pre>
 *
 * <p>Java serialization (Spark's default {@code spark.serializer}, used for received blocks and the
 * write-ahead log) writes an event compactly: the header count, each name and value as UTF-8, then
 * the body. Spark's serializer runs over every received event, and the default form (a {@code
 * LinkedHashMap} object graph and a byte array object per event) cost a third of the receiving
 * JVM's time in the benchmark.
 */
public final class FlumeEvent implements Serializable {
  // 2: the compact form of writeObject; 1 was the default form of the fields.
  private static final long serialVersionUID = 2L;

  /** No field is written the default way: {@link #writeObject} writes them all. */
  private static final ObjectStreamField[] serialPersistentFields = {};

  // Not final only so that readObject can set them; nothing changes them after construction. Not
  // transient either:
  // Kryo's field serializer (spark.serializer=KryoSerializer) skips transient fields.
  private Map<String, String> headers;
  private byte[] body;

  private FlumeEvent(Map<String, String> headers, byte[] body) {
    this.headers = headers;
    this.body = body;
  }

  /**
   * An event with a copy of {@code headers} (iteration order kept) and a copy of {@code body}.
   *
   * @throws NullPointerException if an argument, a header name or a header value is null
   */
  public static FlumeEvent of(Map<String, String> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    return new FlumeEvent(copyOf(headers), body.clone());
  }

  /** An event without headers whose body is {@code body} encoded as UTF-8. */
  public static FlumeEvent ofString(String body) {
    return new FlumeEvent(new LinkedHashMap<>(), body.getBytes(StandardCharsets.UTF_8));
  }

  /** The event's headers, unmodifiable. */
  public Map<String, String> headers() {
    return Collections.unmodifiableMap(headers);
  }

  /** A copy of the event's body. */
  public byte[] body() {
    return body.clone();
  }

  /** The body's length in bytes, without copying it. */
  public int bodyLength() {
    return body.length;
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FlumeEvent that
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * headers.hashCode() + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "FlumeEvent{headers=" + headers + ", body=" + body.length + " bytes}";
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    out.writeInt(headers.size());
    for (Map.Entry<String, String> header : headers.entrySet()) {
      writeString(out, header.getKey());
      writeString(out, header.getValue());
    }
    out.writeInt(body.length);
    out.write(body);
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    int count = in.readInt();
    if (count < 0) {
      throw new InvalidObjectException("FlumeEvent with " + count + " headers");
    }
    Map<String, String> read = new LinkedHashMap<>(Math.max(4, count * 2));
    for (int i = 0; i < count; i++) {
      read.put(readString(in), readString(in));
    }
    headers = read;
    body = readBytes(in);
  }

  // Not writeUTF: it is limited to 64 KB, and Flume sets no limit on a header's length.
  private static void writeString(ObjectOutputStream out, String value) throws IOException {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readString(ObjectInputStream in) throws IOException {
    return new String(readBytes(in), StandardCharsets.UTF_8);
  }

  private static byte[] readBytes(ObjectInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0) {
      throw new InvalidObjectException("FlumeEvent field of length " + length);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return bytes;
  }

  private static Map<String, String> copyOf(Map<String, String> headers) {
    // A plain LinkedHashMap, never Map.of(): Kryo (spark.serializer) cannot rebuild the JDK's
    // immutable maps.
    Map<String, String> copy = new LinkedHashMap<>(headers.size() * 2);
    headers.forEach(
        (name, value) ->
            copy.put(
                Objects.requireNonNull(name, "header name"),
                Objects.requireNonNull(value, () -> "value of header " + name)));
    return copy;
  }
}

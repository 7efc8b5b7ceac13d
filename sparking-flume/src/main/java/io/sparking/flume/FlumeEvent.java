package io.sparking.flume;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One Flume event as Spark sees it: the event's headers and its body, immutable and serializable so it can live in
 * Spark blocks and the write-ahead log.
 *
 * <pre>{@code
 * stream.map(FlumeEvent::bodyAsString)
 * }</pre>
 */
public final class FlumeEvent implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> headers;
  private final byte[] body;

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
    return other instanceof FlumeEvent that && headers.equals(that.headers) && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * headers.hashCode() + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "FlumeEvent{headers=" + headers + ", body=" + body.length + " bytes}";
  }

  private static Map<String, String> copyOf(Map<String, String> headers) {
    // A plain LinkedHashMap, never Map.of(): Kryo (spark.serializer) cannot rebuild the JDK's immutable maps.
    Map<String, String> copy = new LinkedHashMap<>(headers.size() * 2);
    headers.forEach((name, value) -> copy.put(Objects.requireNonNull(name, "header name"),
        Objects.requireNonNull(value, () -> "value of header " + name)));
    return copy;
  }
}

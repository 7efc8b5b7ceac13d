package io.sparking.kafka;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** One header of a {@link KafkaRecord}: a string key and raw bytes. Immutable and serializable. */
public final class KafkaHeader implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final byte[] value;

  /** Creates a header; {@code value} may be null. */
  public KafkaHeader(String key, byte[] value) {
    this.key = Objects.requireNonNull(key, "key");
    this.value = value;
  }

  /** The header's key. */
  public String key() {
    return key;
  }

  /** The header's value bytes, or null. */
  public byte[] value() {
    return value;
  }

  /** The value decoded as UTF-8, or null. */
  public String valueAsString() {
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaHeader h && key.equals(h.key) && Arrays.equals(value, h.value);
  }

  @Override
  public int hashCode() {
    return 31 * key.hashCode() + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return key + "=" + valueAsString();
  }
}

package io.sparking.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records every path moves: record {@code i} is its zero-padded number followed by filler, exactly {@code size}
 * bytes, the same for Kafka values and Flume event bodies.
 */
final class BenchData {
  private BenchData() {}

  /** The payload of record {@code i}. */
  static byte[] payload(long i, int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    byte[] number = String.format("%012d ", i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(number, 0, bytes, 0, Math.min(number.length, size));
    return bytes;
  }
}

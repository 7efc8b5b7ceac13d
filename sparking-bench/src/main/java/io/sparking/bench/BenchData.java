package io.sparking.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records every path moves: record {@code i} is its zero-padded number followed by filler,
 * exactly {@code size} bytes, the same for Kafka values and Flume event bodies.
 */
final class BenchData {
  private BenchData() {}

  /**
   * The smallest payload that holds a creation time: number, separator, {@code @} and 13 digits of
   * millis.
   */
  static final int TIMED_MIN_SIZE = 27;

  private static final int TIME_AT = 13;

  /**
   * The payload of record {@code i} created at {@code createdMillis}: as {@link #payload}, with
   * {@code @} and the 13-digit creation time after the number, so every path can measure latency
   * from the payload alone.
   */
  static byte[] timedPayload(long i, long createdMillis, int size) {
    byte[] bytes = payload(i, size);
    byte[] time = String.format("@%013d", createdMillis).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(time, 0, bytes, TIME_AT, time.length);
    return bytes;
  }

  /** The record number a payload starts with. */
  static long number(byte[] payload) {
    return digits(payload, 0, 12);
  }

  /** The creation time a {@link #timedPayload} carries, or -1 for a payload without one. */
  static long createdMillis(byte[] payload) {
    if (payload == null || payload.length < TIMED_MIN_SIZE || payload[TIME_AT] != '@') {
      return -1;
    }
    return digits(payload, TIME_AT + 1, 13);
  }

  private static long digits(byte[] bytes, int from, int count) {
    long value = 0;
    for (int i = from; i < from + count; i++) {
      value = value * 10 + (bytes[i] - '0');
    }
    return value;
  }

  /** The payload of record {@code i}. */
  static byte[] payload(long i, int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    byte[] number = String.format("%012d ", i).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(number, 0, bytes, 0, Math.min(number.length, size));
    return bytes;
  }
}

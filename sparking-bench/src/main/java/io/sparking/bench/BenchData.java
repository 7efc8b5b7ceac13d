package io.sparking.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The records every path moves: record {@code i} is its zero-padded 12-digit number (its id)
 * followed by filler, exactly {@code size} bytes, the same for Kafka values and Flume event bodies.
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

  /** Digits of the id every payload starts with; the smallest payload holds them. */
  static final int ID_DIGITS = 12;

  /**
   * The id a payload starts with ({@link #ID_DIGITS} decimal digits), or -1 when it does not start
   * with one: the receiving side's check of what arrived.
   */
  static long id(byte[] payload) {
    if (payload == null || payload.length < ID_DIGITS) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < ID_DIGITS; i++) {
      int digit = payload[i] - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /** As {@link #id(byte[])}, for a body in a buffer (from its position on, left unchanged). */
  static long id(java.nio.ByteBuffer body) {
    if (body == null || body.remaining() < ID_DIGITS) {
      return -1;
    }
    int from = body.position();
    long value = 0;
    for (int i = 0; i < ID_DIGITS; i++) {
      int digit = body.get(from + i) - '0';
      if (digit < 0 || digit > 9) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /** The record number a payload starts with. */
  static long number(byte[] payload) {
    return digits(payload, 0, ID_DIGITS);
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

package io.sparking.core.spi;

import java.time.Duration;

/**
 * The one shape of every invalid-setting error in Sparking: {@code <setting>=<value> is <problem>:
 * <what to do>}, such as {@code batchSize=0 is out of range: pass 1 to 100000 events}. Thrown at
 * construction, where the settings are validated once.
 */
public final class InvalidSetting {
  private InvalidSetting() {}

  /** {@code <setting>=<value> is <problem>: <whatToDo>}. */
  public static IllegalArgumentException of(
      String setting, Object value, String problem, String whatToDo) {
    return new IllegalArgumentException(setting + "=" + value + " is " + problem + ": " + whatToDo);
  }

  /**
   * {@code value} when it lies in {@code [min, max]}; {@code unit} (may be empty) follows the range
   * in the error.
   */
  public static int inRange(String setting, int value, int min, int max, String unit) {
    if (value < min || value > max) {
      throw of(
          setting,
          value,
          "out of range",
          "pass " + min + " to " + max + (unit.isEmpty() ? "" : " " + unit));
    }
    return value;
  }

  /** {@code value} when it is not null and lies in {@code [min, max]}. */
  public static Duration inRange(String setting, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw of(
          setting,
          value,
          value == null ? "missing" : "out of range",
          "pass a duration from " + min + " to " + max);
    }
    return value;
  }

  /** {@code value} when it is not null; {@code whatToDo} says what to pass. */
  public static <T> T required(String setting, T value, String whatToDo) {
    if (value == null) {
      throw of(setting, null, "missing", whatToDo);
    }
    return value;
  }
}

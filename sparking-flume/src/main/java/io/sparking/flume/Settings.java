package io.sparking.flume;

import java.time.Duration;

/** Validation shared by the settings classes: one message shape naming the setting, the value and what is valid. */
final class Settings {
  private Settings() {}

  static int intInRange(String setting, int value, int min, int max, String unit) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(setting + " = " + value + " is invalid: it must be between " + min + " and "
          + max + unit);
    }
    return value;
  }

  static Duration durationInRange(String setting, Duration value, Duration min, Duration max) {
    if (value == null) {
      throw new IllegalArgumentException(setting + " = null is invalid: it must be a duration between " + min
          + " and " + max);
    }
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(setting + " = " + value + " is invalid: it must be between " + min + " and "
          + max);
    }
    return value;
  }

  static <T> T required(String setting, T value, String valid) {
    if (value == null) {
      throw new IllegalArgumentException(setting + " = null is invalid: it must be " + valid);
    }
    return value;
  }
}

package io.sparking.kafka.internal;

import io.sparking.kafka.KafkaSettings;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Turns a Kafka client's authentication failure into a message that names the cause and the
 * consumer settings to check: Kafka's own messages say what failed, not which of the user's
 * settings to fix.
 */
public final class SecurityErrors {
  private SecurityErrors() {}

  /**
   * The explanation of {@code error} when it, or one of its causes, is an authentication failure;
   * empty otherwise. The text names no broker address: callers put it in context.
   */
  public static Optional<String> explain(Throwable error, KafkaSettings settings) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SslAuthenticationException) {
        return Optional.of(
            "SSL handshake failed ("
                + innermostMessage(t)
                + "): the client does not trust the"
                + " broker's certificate, or the certificate does not match the broker's host name. Check that"
                + " ssl.truststore.location ("
                + setting(settings, "ssl.truststore.location")
                + ") holds the broker's"
                + " certificate or the CA that signed it, ssl.truststore.password and ssl.truststore.type, and"
                + " ssl.endpoint.identification.algorithm");
      }
      if (t instanceof SaslAuthenticationException) {
        return Optional.of(
            "authentication failed: the broker rejected the SASL login ("
                + t.getMessage()
                + ")."
                + " Check the user name and password in sasl.jaas.config, and that sasl.mechanism ("
                + setting(settings, "sasl.mechanism")
                + ") is a mechanism the broker enables for that user");
      }
      if (t instanceof AuthenticationException) {
        return Optional.of(
            "authentication failed ("
                + innermostMessage(t)
                + "): check security.protocol ("
                + setting(settings, "security.protocol")
                + ") and the sasl.* and ssl.* consumer settings");
      }
    }
    return Optional.empty();
  }

  private static String setting(KafkaSettings settings, String key) {
    Object value = settings.consumerProperties().get(key);
    return value == null ? "not set" : String.valueOf(value);
  }

  /** The message of the deepest cause, where the JDK says what the TLS layer objected to. */
  private static String innermostMessage(Throwable error) {
    Throwable deepest = error;
    while (deepest.getCause() != null) {
      deepest = deepest.getCause();
    }
    return deepest == error
        ? String.valueOf(error.getMessage())
        : error.getMessage()
            + ": "
            + deepest.getClass().getSimpleName()
            + ": "
            + deepest.getMessage();
  }
}

package io.sparking.testkit;

import io.sparking.runtime.KafkaBroker;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link KafkaBroker} for all tests of a class: started before the first, closed (process
 * stopped, directory deleted) after the last, also when tests fail.
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 *
 * @Test void reads() { KAFKA.broker().createTopic("t", 2); ... }
 * }</pre>
 *
 * <p>{@link #saslSsl()} gives a broker that requires {@code SASL_SSL} instead (see {@link
 * KafkaBroker#startSaslSsl()}).
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private final Supplier<KafkaBroker> starter;
  private KafkaBroker broker;

  /** An extension running a PLAINTEXT broker. */
  public KafkaBrokerExtension() {
    this(KafkaBroker::start);
  }

  private KafkaBrokerExtension(Supplier<KafkaBroker> starter) {
    this.starter = starter;
  }

  /**
   * An extension running a broker whose clients must use {@code SASL_SSL} (SCRAM-SHA-512 over TLS).
   */
  public static KafkaBrokerExtension saslSsl() {
    return new KafkaBrokerExtension(KafkaBroker::startSaslSsl);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = starter.get();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  /** The running broker. */
  public KafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException(
          "The broker runs only while the test class runs: register this extension"
              + " on a static field with @RegisterExtension");
    }
    return broker;
  }
}

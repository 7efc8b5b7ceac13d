package io.sparking.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link KafkaBroker} for all tests of a class: started before the first, closed (process stopped, directory
 * deleted) after the last, also when tests fail.
 *
 * <pre>{@code
 * @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
 *
 * @Test void reads() { KAFKA.broker().createTopic("t", 2); ... }
 * }</pre>
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {
  private KafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = KafkaBroker.start();
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
      throw new IllegalStateException("The broker runs only while the test class runs: register this extension"
          + " on a static field with @RegisterExtension");
    }
    return broker;
  }
}

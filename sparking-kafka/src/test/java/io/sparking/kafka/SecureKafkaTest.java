package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.LocalStreaming;
import io.sparking.runtime.SelfSignedKeyStores;
import io.sparking.testkit.KafkaBrokerExtension;
import io.sparking.testkit.OutputCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverError;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both stream kinds against a broker that requires SASL_SSL (SCRAM-SHA-512 over TLS with a
 * self-signed certificate), configured only through pass-through consumer properties, and the
 * errors of a wrong password and of a truststore that does not hold the broker's certificate.
 */
@Tag("default-line")
class SecureKafkaTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  /**
   * Bound for an authentication error to surface: Kafka fails a login at once, with no retries to
   * wait out.
   */
  private static final Duration ERROR_WAIT = Duration.ofSeconds(60);

  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.saslSsl();

  @TempDir Path dir;

  @Test
  void receiverAndDirectStreamReadEveryRecordFromASaslSslBroker() {
    KAFKA.broker().createTopic("secure-receiver", 3);
    KAFKA.broker().createTopic("secure-direct", 2);
    List<String> toReceiver = KafkaBroker.numbered("secure-receiver", 0, 3_000);
    List<String> toDirect = KafkaBroker.numbered("secure-direct", 0, 3_000);
    KAFKA.broker().produce("secure-receiver", toReceiver);
    KAFKA.broker().produce("secure-direct", toDirect);
    OutputCollector<String> received = OutputCollector.create();
    OutputCollector<String> direct = OutputCollector.create();
    // One Spark context for both kinds: the receiver holds one core, the batches of both streams
    // need another.
    try (LocalStreaming spark =
        LocalStreaming.builder(dir).master("local[3]").writeAheadLog(true).start()) {
      Map<String, String> security = KAFKA.broker().clientSecurityProperties();
      SparkingKafka.receiverStream(spark.context(), secured("secure-receiver", security))
          .foreachRDD(rdd -> received.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      SparkingKafka.directStream(spark.context(), secured("secure-direct", security))
          .foreachBatch(
              (records, time) -> direct.addAll(records.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();
      await()
          .atMost(WAIT)
          .until(() -> received.size() >= toReceiver.size() && direct.size() >= toDirect.size());
    }
    assertThat(received.values())
        .as("receiver stream")
        .hasSize(toReceiver.size())
        .containsExactlyInAnyOrderElementsOf(toReceiver);
    assertThat(direct.values())
        .as("direct stream")
        .hasSize(toDirect.size())
        .containsExactlyInAnyOrderElementsOf(toDirect);
  }

  @Test
  void wrongPasswordFailsThePreflightNamingAuthenticationAndTheJaasSetting() {
    KAFKA.broker().createTopic("secure-password", 1);
    KafkaSettings settings = secured("secure-password", wrongPassword());
    assertThatThrownBy(() -> KafkaPreflight.check(settings, ERROR_WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Kafka at " + KAFKA.broker().bootstrapServers() + " refused the connection")
        .hasMessageContaining("authentication failed")
        .hasMessageContaining("sasl.jaas.config")
        .hasMessageContaining("SCRAM-SHA-512");
  }

  @Test
  void untrustedCertificateFailsThePreflightNamingTheSslHandshakeAndTheTruststore() {
    KAFKA.broker().createTopic("secure-certificate", 1);
    SelfSignedKeyStores stranger = SelfSignedKeyStores.create(dir, "stranger");
    KafkaSettings settings = secured("secure-certificate", untrusting(stranger));
    assertThatThrownBy(() -> KafkaPreflight.check(settings, ERROR_WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Kafka at " + KAFKA.broker().bootstrapServers() + " refused the connection")
        .hasMessageContaining("SSL handshake failed")
        .hasMessageContaining("ssl.truststore.location (" + stranger.truststore() + ")");
  }

  @Test
  void missingTruststoreFailsThePreflightNamingTheFile() {
    Path missing = dir.resolve("missing-truststore.p12");
    java.util.Map<String, String> security =
        new java.util.HashMap<>(KAFKA.broker().clientSecurityProperties());
    security.put("ssl.truststore.location", missing.toString());
    KafkaSettings settings = secured("secure-missing", security);
    assertThatThrownBy(() -> KafkaPreflight.check(settings, ERROR_WAIT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(
            "Cannot create a Kafka client for " + KAFKA.broker().bootstrapServers())
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("ssl.*");
  }

  @Test
  void receiversReportAWrongPasswordAndAnUntrustedCertificateAsClearErrors() throws Exception {
    KAFKA.broker().createTopic("secure-refused", 1);
    KAFKA.broker().produce("secure-refused", KafkaBroker.numbered("secure-refused", 0, 10));
    SelfSignedKeyStores stranger = SelfSignedKeyStores.create(dir, "stranger");
    List<String> errors = new CopyOnWriteArrayList<>();
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark =
        LocalStreaming.builder(dir.resolve("checkpoint")).master("local[3]").start()) {
      spark
          .context()
          .addStreamingListener(
              new StreamingListener() {
                @Override
                public void onReceiverError(StreamingListenerReceiverError error) {
                  errors.add(error.receiverInfo().lastErrorMessage());
                }
              });
      KafkaSettings wrongPassword =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "wrong-password")
              .topics("secure-refused")
              .name("wrong-password")
              .consumerProperties(wrongPassword())
              .build();
      KafkaSettings untrusted =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "untrusted")
              .topics("secure-refused")
              .name("untrusted")
              .consumerProperties(untrusting(stranger))
              .build();
      SparkingKafka.receiverStream(spark.context(), wrongPassword)
          .union(SparkingKafka.receiverStream(spark.context(), untrusted))
          .foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();

      // Each receiver names its settings in its error; both keep failing (and restarting) until
      // stopped.
      await()
          .atMost(ERROR_WAIT)
          .untilAsserted(
              () -> {
                assertThat(errors)
                    .anySatisfy(
                        error ->
                            assertThat(error)
                                .contains("failed reading wrong-password")
                                .contains("Kafka refused the connection: authentication failed")
                                .contains("sasl.jaas.config"));
                assertThat(errors)
                    .anySatisfy(
                        error ->
                            assertThat(error)
                                .contains("failed reading untrusted")
                                .contains("Kafka refused the connection: SSL handshake failed")
                                .contains(
                                    "ssl.truststore.location (" + stranger.truststore() + ")"));
              });
    }
    assertThat(out.values()).as("records read without a valid login").isEmpty();
  }

  private static KafkaSettings secured(String topic, Map<String, ?> security) {
    return KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic + "-group")
        .topics(topic)
        .consumerProperties(security)
        .build();
  }

  private static Map<String, String> wrongPassword() {
    return KAFKA.broker().clientSecurityPropertiesWithPassword("not-the-password");
  }

  /** The right login, but a truststore holding another certificate than the broker's. */
  private static Map<String, String> untrusting(SelfSignedKeyStores stranger) {
    return KAFKA.broker().clientSecurityPropertiesTrusting(stranger);
  }
}

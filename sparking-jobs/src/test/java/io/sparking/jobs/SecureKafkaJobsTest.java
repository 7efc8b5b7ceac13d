package io.sparking.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparking.jobs.JobRunner.JobRun;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.SelfSignedKeyStores;
import io.sparking.testkit.KafkaBrokerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka jobs, each in a JVM of its own, against a broker that requires SASL_SSL, with the
 * security settings given only as {@code --consumer-property} options.
 */
@Tag("default-line")
class SecureKafkaJobsTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.saslSsl();

  @TempDir Path work;
  private JobRunner jobs;

  @BeforeEach
  void createRunner() {
    jobs = new JobRunner(work);
  }

  @Test
  void kafkaSingleTopicReadsExactlyTheProducedRecordsOverSaslSsl() throws Exception {
    KAFKA.broker().createTopic("secure-single", 2);
    List<String> sent = KafkaBroker.numbered("word", 0, 2_000);
    KAFKA.broker().produce("secure-single", sent);
    JobRun run =
        jobs.runToEnd(
            args(
                KAFKA.broker().clientSecurityProperties(),
                "KafkaSingleTopic",
                "local[2]",
                "secure-single",
                KAFKA.broker().bootstrapServers(),
                "--group",
                "secure-single-job",
                "--batch-interval",
                "1s",
                "--max-records",
                "2000",
                "--duration",
                "150",
                "--output-dir",
                work.resolve("out").toString()));
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(0);
    assertThat(run.total()).isEqualTo(2_000);
    new BatchFiles(work.resolve("out")).assertHoldsExactly(sent);
  }

  @Test
  void wrongPasswordExitsWithAnErrorNamingAuthenticationAndTheJaasSetting() throws Exception {
    KAFKA.broker().createTopic("secure-password", 1);
    Map<String, String> security =
        KAFKA.broker().clientSecurityPropertiesWithPassword("not-the-password");
    JobRun run =
        jobs.runToEnd(
            args(
                security,
                "KafkaSingleTopic",
                "local[2]",
                "secure-password",
                KAFKA.broker().bootstrapServers(),
                "--connect-timeout",
                "30"));
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(1);
    assertThat(run.output())
        .contains(
            "error: Kafka at "
                + KAFKA.broker().bootstrapServers()
                + " refused the connection: authentication failed")
        .contains("sasl.jaas.config");
    assertThat(run.total()).as("a job that never started prints no total").isEqualTo(-1);
  }

  @Test
  void untrustedCertificateExitsWithAnErrorNamingTheSslHandshakeAndTheTruststore()
      throws Exception {
    KAFKA.broker().createTopic("secure-certificate", 1);
    SelfSignedKeyStores stranger = SelfSignedKeyStores.create(work, "stranger");
    Map<String, String> security = KAFKA.broker().clientSecurityPropertiesTrusting(stranger);
    JobRun run =
        jobs.runToEnd(
            args(
                security,
                "KafkaDirectTopic",
                "local[2]",
                "secure-certificate",
                KAFKA.broker().bootstrapServers(),
                "--connect-timeout",
                "30"));
    assertThat(run.exit()).as("exit code; output:%n%s", run.tail()).isEqualTo(1);
    assertThat(run.output())
        .contains("refused the connection: SSL handshake failed")
        .contains("ssl.truststore.location (" + stranger.truststore() + ")");
  }

  /** {@code job} followed by one {@code --consumer-property key=value} per security setting. */
  private static String[] args(Map<String, String> security, String... job) {
    List<String> args = new ArrayList<>(List.of(job));
    security.forEach(
        (key, value) -> {
          args.add("--consumer-property");
          args.add(key + "=" + value);
        });
    return args.toArray(String[]::new);
  }
}

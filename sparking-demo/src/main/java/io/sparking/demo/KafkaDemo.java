package io.sparking.demo;

import io.sparking.runtime.FreePorts;
import io.sparking.runtime.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka demo: a real broker on loopback, sample text produced to a topic, and KafkaSingleTopic
 * (reliable receiver) and KafkaDirectTopic (direct stream) reading it.
 *
 * <p>The jobs start first, told the broker's address before it runs: a Spark JVM takes longer to
 * start than the broker, so starting all three at once shortens the start by the broker's start.
 * The jobs skip their start-up check of the broker and topic ({@code --connect-timeout 0}), which
 * would race the topic's creation; their streams wait for both, and read the topic from its first
 * record.
 */
record KafkaDemo(int rate) implements DemoSession.Scenario {
  private static final String TOPIC = "sparking-demo";

  @Override
  public int steps() {
    return 4;
  }

  @Override
  public void start(DemoSession session) throws Exception {
    int port = FreePorts.next();
    String bootstrap = "127.0.0.1:" + port;
    session.step("Starting KafkaSingleTopic (reliable receiver + write-ahead log) in local mode");
    session.startJob("receiver", "KafkaSingleTopic", jobArgs(bootstrap, "receiver"));
    session.step("Starting KafkaDirectTopic (direct stream, commit after output) in local mode");
    session.startJob("direct", "KafkaDirectTopic", jobArgs(bootstrap, "direct"));

    session.step(
        "Starting a Kafka broker (KRaft, its own JVM) on " + bootstrap + " while the jobs start");
    // The quick compiler alone, as for the jobs (see DemoSession.startJob): the broker is what the
    // data waits for.
    KafkaBroker broker =
        session.source(
            KafkaBroker.start(
                port, KafkaBroker.DEFAULT_START_TIMEOUT, List.of("-XX:TieredStopAtLevel=1")));
    broker.createTopic(TOPIC, 4);
    session.done("broker ready, topic " + TOPIC + " with 4 partitions");

    session.step("Producing sample text at " + rate + " lines/s");
    session.feed(new SampleText("produced records", rate, new TopicSink(broker.producer())));
  }

  private static List<String> jobArgs(String bootstrap, String label) {
    return List.of(
        "local[2]", TOPIC, bootstrap, "--group", "demo-" + label, "--connect-timeout", "0");
  }

  /** Sends lines to the demo topic; counts a line once the broker acknowledged it. */
  private static final class TopicSink implements SampleText.Sink {
    private final KafkaProducer<String, String> producer;
    private final AtomicLong acked = new AtomicLong();

    TopicSink(KafkaProducer<String, String> producer) {
      this.producer = producer;
    }

    @Override
    public void write(String line) {
      producer.send(
          new ProducerRecord<>(TOPIC, line),
          (metadata, error) -> {
            if (error == null) {
              acked.incrementAndGet();
            }
          });
    }

    @Override
    public long delivered() {
      return acked.get();
    }

    @Override
    public void close() {
      producer.close(Duration.ofSeconds(10));
    }
  }
}

package io.sparking.examples;

import io.sparking.testkit.KafkaBroker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka demo: a real broker on loopback, sample text produced to a topic, and KafkaSingleTopic (reliable
 * receiver) and KafkaDirectTopic (direct stream) reading it.
 */
record KafkaDemo(int rate) implements DemoSession.Scenario {
  private static final String TOPIC = "sparking-demo";

  @Override
  public int steps() {
    return 4;
  }

  @Override
  public void start(DemoSession session) throws Exception {
    session.step("Starting a Kafka broker (KRaft, its own JVM) on 127.0.0.1");
    KafkaBroker broker = session.source(KafkaBroker.start());
    broker.createTopic(TOPIC, 4);
    session.done("broker ready on " + broker.bootstrapServers() + ", topic " + TOPIC + " with 4 partitions");

    session.step("Producing sample text at " + rate + " lines/s");
    session.feed(new SampleText("produced records", rate, new TopicSink(broker.producer())));

    session.step("Starting KafkaSingleTopic (reliable receiver + write-ahead log) in local mode");
    session.startJob("receiver", "KafkaSingleTopic", jobArgs(broker, "receiver"));
    session.step("Starting KafkaDirectTopic (direct stream, commit after output) in local mode");
    session.startJob("direct", "KafkaDirectTopic", jobArgs(broker, "direct"));
  }

  private static List<String> jobArgs(KafkaBroker broker, String label) {
    return List.of("local[2]", TOPIC, broker.bootstrapServers(), "--group", "demo-" + label);
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
      producer.send(new ProducerRecord<>(TOPIC, line), (metadata, error) -> {
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

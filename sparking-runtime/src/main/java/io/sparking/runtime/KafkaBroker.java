package io.sparking.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka broker (the {@code kafka_2.13} server, KRaft mode, broker and controller in
 * one node) running in a JVM of its own on a free loopback port, with its data in a temporary
 * directory.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start()) {
 *   broker.createTopic("words", 4);
 *   String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the process by its handle and deletes the directory. {@link #stop()}
 * and {@link #restart()} keep the data, for fault tests.
 *
 * <p>{@link #startSaslSsl()} starts a broker whose client listener requires {@code SASL_SSL}
 * (SCRAM-SHA-512 over TLS with a self-signed certificate made for the broker); {@link
 * #clientSecurityProperties()} holds what a client needs, and the broker's own helpers ({@link
 * #createTopic}, {@link #produce}, {@link #admin()}) use it.
 *
 * <p>{@link #startInZooKeeperMode(String)} starts Apache Kafka {@value #ZOOKEEPER_MODE_VERSION}
 * instead, registered in a {@link ZooKeeperServer}: the kind of cluster that Spark 2.4's
 * ZooKeeper-based Kafka API read, for migration tests.
 */
public final class KafkaBroker extends ExternalServer {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

  /** How long {@link #start()} waits for the broker to answer before it gives up. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(90);

  private static final String MAIN_CLASS = "kafka.Kafka";
  private static final String STORAGE_TOOL = "kafka.tools.StorageTool";

  /**
   * The SCRAM user a {@link #startSaslSsl() secured} broker knows; clients and the broker itself
   * log in as it.
   */
  public static final String SASL_USERNAME = "sparking";

  /** The SASL mechanism of a secured broker. */
  public static final String SASL_MECHANISM = "SCRAM-SHA-512";

  /**
   * The Kafka version {@link #startInZooKeeperMode(String)} runs: the last line that registers in
   * ZooKeeper.
   */
  public static final String ZOOKEEPER_MODE_VERSION = "3.9.1";

  private final Path dir;
  private final int port;
  private final int controllerPort;
  private final Duration startTimeout;
  private final String classpath;

  /** The broker's key and its clients' truststore; null for a PLAINTEXT broker. */
  private final SelfSignedKeyStores keyStores;

  private final String saslPassword;

  /**
   * Added after the broker's own JVM flags; empty unless {@link #start(int, Duration, List)} gave
   * some.
   */
  private final List<String> extraJvmFlags;

  /** The ZooKeeper the broker registers in; null for a KRaft broker. */
  private final String zooKeeperConnect;

  private KafkaBroker(
      Path dir,
      int port,
      int controllerPort,
      Duration startTimeout,
      boolean saslSsl,
      List<String> extraJvmFlags,
      String zooKeeperConnect) {
    this.dir = dir;
    this.zooKeeperConnect = zooKeeperConnect;
    this.port = port;
    this.controllerPort = controllerPort;
    this.startTimeout = startTimeout;
    this.extraJvmFlags = List.copyOf(extraJvmFlags);
    this.classpath =
        RuntimeClasspath.of(zooKeeperConnect == null ? "kafka-broker" : "kafka-broker-zk");
    this.keyStores = saslSsl ? SelfSignedKeyStores.create(dir, "kafka-broker") : null;
    this.saslPassword = saslSsl ? "scram-" + Uuid.randomUuid() : null;
  }

  /**
   * Starts a broker on a free port and waits until it answers, at most {@link
   * #DEFAULT_START_TIMEOUT}.
   */
  public static KafkaBroker start() {
    return start(FreePorts.next(), DEFAULT_START_TIMEOUT);
  }

  /**
   * Starts a broker on {@code port} (0 for a free one) and waits until it answers, at most {@code
   * startTimeout}.
   */
  public static KafkaBroker start(int port, Duration startTimeout) {
    return start(port, startTimeout, false, List.of());
  }

  /**
   * Like {@link #start(int, Duration)}, with {@code jvmFlags} added after the broker's own (a later
   * flag wins): say, {@code -XX:TieredStopAtLevel=1}, which starts the broker with about half the
   * CPU on a small machine, where it will not serve high rates.
   */
  public static KafkaBroker start(int port, Duration startTimeout, List<String> jvmFlags) {
    return start(port, startTimeout, false, jvmFlags);
  }

  /**
   * Starts a broker on a free port whose client listener requires {@code SASL_SSL}: TLS with a
   * self-signed certificate generated for this broker ({@link #keyStores()}), and SCRAM-SHA-512
   * login as {@link #SASL_USERNAME} with {@link #saslPassword()}. The controller listener stays
   * PLAINTEXT on loopback.
   */
  public static KafkaBroker startSaslSsl() {
    return start(FreePorts.next(), DEFAULT_START_TIMEOUT, true, List.of());
  }

  /**
   * Starts an Apache Kafka {@value #ZOOKEEPER_MODE_VERSION} broker (broker id 1, PLAINTEXT on a
   * free loopback port) that registers in the ZooKeeper at {@code zooKeeperConnect} ({@code
   * host:port}, optionally with a {@code /chroot}), and waits until it answers, at most {@link
   * #DEFAULT_START_TIMEOUT}.
   */
  public static KafkaBroker startInZooKeeperMode(String zooKeeperConnect) {
    return start(
        FreePorts.next(),
        DEFAULT_START_TIMEOUT,
        false,
        List.of(),
        java.util.Objects.requireNonNull(zooKeeperConnect, "zooKeeperConnect"));
  }

  private static KafkaBroker start(
      int port, Duration startTimeout, boolean saslSsl, List<String> jvmFlags) {
    return start(port, startTimeout, saslSsl, jvmFlags, null);
  }

  private static KafkaBroker start(
      int port,
      Duration startTimeout,
      boolean saslSsl,
      List<String> jvmFlags,
      String zooKeeperConnect) {
    Path dir = TempDirs.create("sparking-kafka-");
    KafkaBroker broker;
    try {
      broker =
          new KafkaBroker(
              dir,
              port == 0 ? FreePorts.next() : port,
              FreePorts.next(),
              startTimeout,
              saslSsl,
              jvmFlags,
              zooKeeperConnect);
    } catch (RuntimeException e) {
      TempDirs.deleteRecursively(dir);
      throw e;
    }
    try {
      if (zooKeeperConnect == null) {
        broker.format();
      } else {
        // A ZooKeeper-mode broker keeps its metadata in ZooKeeper: no log directory to format.
        broker.writeConfig();
      }
      broker.launch();
      return broker;
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
  }

  /** The address clients connect to, {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The broker's listener port. */
  public int port() {
    return port;
  }

  /** Whether clients must use {@code SASL_SSL} (see {@link #startSaslSsl()}). */
  public boolean isSaslSsl() {
    return keyStores != null;
  }

  /**
   * The client settings a consumer, producer or admin client needs for this broker, beside its
   * bootstrap servers: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}
   * and the {@code ssl.truststore.*} settings trusting the broker's certificate. Empty for a
   * PLAINTEXT broker.
   */
  public Map<String, String> clientSecurityProperties() {
    if (keyStores == null) {
      return Map.of();
    }
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("security.protocol", "SASL_SSL");
    properties.put("sasl.mechanism", SASL_MECHANISM);
    properties.put("sasl.jaas.config", scramJaasConfig(SASL_USERNAME, saslPassword));
    properties.put("ssl.truststore.location", keyStores.truststore().toString());
    properties.put("ssl.truststore.password", keyStores.password());
    properties.put("ssl.truststore.type", keyStores.type());
    return properties;
  }

  /**
   * {@link #clientSecurityProperties()} with another password for {@link #SASL_USERNAME}: a failing
   * login.
   */
  public Map<String, String> clientSecurityPropertiesWithPassword(String password) {
    requireSecured("a password");
    Map<String, String> properties = new LinkedHashMap<>(clientSecurityProperties());
    properties.put("sasl.jaas.config", scramJaasConfig(SASL_USERNAME, password));
    return properties;
  }

  /**
   * {@link #clientSecurityProperties()} with the truststore of {@code stores} instead of the
   * broker's own: with any other stores than {@link #keyStores()}, a client that does not trust the
   * broker's certificate.
   */
  public Map<String, String> clientSecurityPropertiesTrusting(SelfSignedKeyStores stores) {
    requireSecured("a truststore");
    Map<String, String> properties = new LinkedHashMap<>(clientSecurityProperties());
    properties.put("ssl.truststore.location", stores.truststore().toString());
    properties.put("ssl.truststore.password", stores.password());
    properties.put("ssl.truststore.type", stores.type());
    return properties;
  }

  /**
   * The {@code sasl.jaas.config} value for a SCRAM login as {@code username} with {@code password}.
   */
  public static String scramJaasConfig(String username, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + username
        + "\" password=\""
        + password
        + "\";";
  }

  /** The password of {@link #SASL_USERNAME} on a secured broker. */
  public String saslPassword() {
    return requireSecured("saslPassword").saslPassword;
  }

  /** The broker's keystore and the truststore holding its certificate, on a secured broker. */
  public SelfSignedKeyStores keyStores() {
    return requireSecured("keyStores").keyStores;
  }

  private KafkaBroker requireSecured(String what) {
    if (keyStores == null) {
      throw new IllegalStateException(
          what
              + " exists only on a SASL_SSL broker: start it with"
              + " KafkaBroker.startSaslSsl()");
    }
    return this;
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions, replication factor 1, and waits until
   * it exists.
   */
  public void createTopic(String topic, int partitions) {
    createTopics(List.of(new NewTopic(topic, partitions, (short) 1)));
  }

  /**
   * Creates the given topics and waits until every partition has a leader, so producers can send at
   * once.
   */
  public void createTopics(Collection<NewTopic> topics) {
    List<String> names = topics.stream().map(NewTopic::name).toList();
    try (Admin admin = admin()) {
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        boolean led;
        try {
          led =
              admin
                  .describeTopics(names)
                  .allTopicNames()
                  .get(10, TimeUnit.SECONDS)
                  .values()
                  .stream()
                  .flatMap(d -> d.partitions().stream())
                  .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
            throw e;
          }
          // Created, but not yet in the metadata the broker serves: seen on a loaded machine.
          led = false;
        }
        if (led) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "Partitions of "
                  + names
                  + " on "
                  + bootstrapServers()
                  + " have no leader 30 s after creation. Log tail:\n"
                  + logTail(30));
        }
        pause(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating " + topics, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Could not create " + topics + " on " + bootstrapServers() + ": " + e, e);
    }
  }

  /**
   * Sends {@code values} to {@code topic}, spread round-robin over its partitions, and waits until
   * the broker has acknowledged all of them.
   */
  public void produce(String topic, List<String> values) {
    try (KafkaProducer<String, String> producer = producer()) {
      int partitions = producer.partitionsFor(topic).size();
      List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
      for (int i = 0; i < values.size(); i++) {
        sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i))));
      }
      producer.flush();
      for (Future<RecordMetadata> f : sent) {
        f.get(60, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while producing to " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Producing to "
              + topic
              + " on "
              + bootstrapServers()
              + " failed: "
              + e
              + "\nBroker log tail:\n"
              + logTail(30),
          e);
    }
  }

  /**
   * A producer of string keys and values for this broker ({@code acks=all}, idempotent); the caller
   * closes it. Timeouts are generous and one request is in flight at a time: on a loaded machine a
   * request that times out is retried, and a retry overtaking later batches ended in {@code
   * OutOfOrderSequenceException}.
   */
  public KafkaProducer<String, String> producer() {
    return new KafkaProducer<>(
        withSecurity(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                1,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                90_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                240_000,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class.getName())));
  }

  /** The values {@code "<prefix>-<i>"} for i in [from, from + count), zero-padded so they sort. */
  public static List<String> numbered(String prefix, int from, int count) {
    List<String> values = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      values.add(String.format("%s-%09d", prefix, i));
    }
    return values;
  }

  /** Where a record is: its partition and its offset in it. */
  public record Position(int partition, long offset) {}

  /**
   * The offsets consumer group {@code group} has committed, by partition (each the next offset the
   * group reads); partitions without a commit are absent.
   */
  public Map<TopicPartition, Long> committedOffsets(String group) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, Long> offsets = new HashMap<>();
      committed.forEach(
          (partition, offset) -> {
            if (offset != null) {
              offsets.put(partition, offset.offset());
            }
          });
      return offsets;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading the offsets of group " + group, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "Could not read the offsets of group " + group + " on " + bootstrapServers() + ": " + e,
          e);
    }
  }

  /**
   * Where each value of {@code topic} is, for a topic whose values are unique (such as {@link
   * #numbered} ids): reads the whole topic from its beginning until it has seen {@code count}
   * values, at most 60 s.
   *
   * @throws IllegalStateException when fewer than {@code count} values could be read within that
   *     time
   */
  public Map<String, Position> positionsOfValues(String topic, int count) {
    Map<String, Object> config =
        withSecurity(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class.getName()));
    Map<String, Position> positions = new HashMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (positions.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          positions.put(r.value(), new Position(r.partition(), r.offset()));
        }
      }
    }
    if (positions.size() < count) {
      throw new IllegalStateException(
          "Read "
              + positions.size()
              + " distinct values of "
              + topic
              + " on "
              + bootstrapServers()
              + " within 60 s, expected "
              + count);
    }
    return positions;
  }

  /**
   * The values of {@code topic} below the offsets {@code group} has committed, partition by
   * partition: what the group says it has consumed. Reads the topic from its start, at most a
   * minute.
   */
  public List<String> committedValues(String topic, String group) {
    Map<TopicPartition, Long> committed = new HashMap<>(committedOffsets(group));
    committed.keySet().removeIf(partition -> !partition.topic().equals(topic));
    List<String> values = new ArrayList<>();
    if (committed.isEmpty()) {
      return values;
    }
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            withSecurity(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class.getName(),
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                        StringDeserializer.class.getName())))) {
      consumer.assign(committed.keySet());
      consumer.seekToBeginning(committed.keySet());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (committed.keySet().stream().anyMatch(p -> consumer.position(p) < committed.get(p))) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(
              "Could not read "
                  + topic
                  + " up to the offsets "
                  + committed
                  + " of group "
                  + group
                  + " within 60 s");
        }
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          if (record.offset()
              < committed.get(new TopicPartition(record.topic(), record.partition()))) {
            values.add(record.value());
          }
        }
      }
    }
    return values;
  }

  /** An admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(
        withSecurity(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000)));
  }

  private Map<String, Object> withSecurity(Map<String, Object> config) {
    Map<String, Object> all = new HashMap<>(config);
    all.putAll(clientSecurityProperties());
    return all;
  }

  /** The last {@code lines} lines of the broker's log. */
  public String logTail(int lines) {
    return process() == null ? "(broker stopped)" : process().logTail(lines);
  }

  @Override
  protected Path scratchDir() {
    return dir;
  }

  private void format() {
    Path config = writeConfig();
    String clusterId = Uuid.randomUuid().toString();
    List<String> args =
        new ArrayList<>(List.of("format", "-t", clusterId, "-c", config.toString()));
    if (keyStores != null) {
      // KRaft keeps SCRAM credentials in the metadata log; adding them at format time means they
      // exist before
      // the broker's first login to itself.
      args.add("--add-scram");
      args.add(SASL_MECHANISM + "=[name=" + SASL_USERNAME + ",password=" + saslPassword + "]");
    }
    try (JavaProcess tool =
        JavaProcess.start(
            "kafka-storage-format",
            toolJvmArgs(),
            classpath,
            STORAGE_TOOL,
            args,
            dir,
            dir.resolve("format.log"))) {
      var exit = tool.waitFor(startTimeout);
      if (exit.isEmpty() || exit.getAsInt() != 0) {
        throw new IllegalStateException(
            "Formatting the Kafka log directory failed (exit " + exit + "):\n" + tool.logTail(30));
      }
    }
  }

  @Override
  protected String describe() {
    return "Kafka broker on "
        + bootstrapServers()
        + (zooKeeperConnect == null ? "" : " (ZooKeeper " + zooKeeperConnect + ")");
  }

  @Override
  protected void launch() {
    Path config = dir.resolve("server.properties");
    attach(
        JavaProcess.start(
            "kafka-broker:" + port,
            jvmArgs(),
            classpath,
            MAIN_CLASS,
            List.of(config.toString()),
            dir,
            dir.resolve("broker.log")));
    awaitReady();
    LOG.info("Kafka broker ready on {} (pid {})", bootstrapServers(), pid());
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Exception last = null;
    // One client for the whole wait, reconnecting every 100 ms: a new client per attempt, or the
    // default backoff
    // that grows to 1 s, noticed the broker up to a second or two after it began to serve.
    Map<String, Object> quickReconnect =
        withSecurity(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    Admin admin = Admin.create(quickReconnect);
    try {
      KafkaFuture<Collection<Node>> nodes = null;
      while (System.nanoTime() < deadline) {
        if (!isRunning()) {
          throw new IllegalStateException(
              "Kafka broker exited during start-up (port "
                  + port
                  + "). Log tail:\n"
                  + process().logTail(40));
        }
        if (nodes == null) {
          nodes = admin.describeCluster().nodes();
        }
        try {
          nodes.get(500, TimeUnit.MILLISECONDS);
          return;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for the Kafka broker", e);
        } catch (TimeoutException e) {
          // Still waiting for a connection: check the process, then wait on the same call.
          last = e;
        } catch (ExecutionException e) {
          last = e;
          nodes = null;
          pause(100);
        }
      }
    } finally {
      // Bounded: close() alone waits for the call in flight, which a broker that died never
      // answers.
      admin.close(Duration.ofSeconds(2));
    }
    String tail = process().logTail(40);
    stop();
    throw new IllegalStateException(
        "Kafka broker on "
            + bootstrapServers()
            + " did not answer within "
            + startTimeout
            + " (last error: "
            + last
            + "). Log tail:\n"
            + tail);
  }

  private List<String> jvmArgs() {
    List<String> args = new ArrayList<>();
    args.add("-Xmx768m");
    args.add("-XX:+UseG1GC");
    args.add("-Dlog4j2.configurationFile=" + writeLogConfig());
    args.add("-Dkafka.logs.dir=" + dir.resolve("logs"));
    args.addAll(extraJvmFlags);
    return args;
  }

  /**
   * The flags of the format tool, a JVM that lives for a second or two: the client compiler alone
   * and the serial collector make it finish in about half the time on a busy 2-core machine (less
   * CPU spent compiling).
   */
  private List<String> toolJvmArgs() {
    return List.of(
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "-Dlog4j2.configurationFile=" + writeLogConfig(),
        "-Dkafka.logs.dir=" + dir.resolve("logs"));
  }

  private Path writeConfig() {
    Properties p = new Properties();
    if (zooKeeperConnect != null) {
      p.setProperty("broker.id", "1");
      p.setProperty("zookeeper.connect", zooKeeperConnect);
      p.setProperty("zookeeper.connection.timeout.ms", "30000");
      p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port);
      p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
      return writeCommonConfig(p);
    }
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String listener = keyStores == null ? "PLAINTEXT" : "SASL_SSL";
    p.setProperty(
        "listeners",
        listener + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", listener + "://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", listener);
    p.setProperty(
        "listener.security.protocol.map", listener + ":" + listener + ",CONTROLLER:PLAINTEXT");
    if (keyStores != null) {
      p.setProperty("sasl.enabled.mechanisms", SASL_MECHANISM);
      p.setProperty("sasl.mechanism.inter.broker.protocol", SASL_MECHANISM);
      p.setProperty(
          "listener.name.sasl_ssl."
              + SASL_MECHANISM.toLowerCase(java.util.Locale.ROOT)
              + ".sasl.jaas.config",
          scramJaasConfig(SASL_USERNAME, saslPassword));
      p.setProperty("ssl.keystore.location", keyStores.keystore().toString());
      p.setProperty("ssl.keystore.password", keyStores.password());
      p.setProperty("ssl.key.password", keyStores.password());
      p.setProperty("ssl.keystore.type", keyStores.type());
      // The broker is a client of its own listener too.
      p.setProperty("ssl.truststore.location", keyStores.truststore().toString());
      p.setProperty("ssl.truststore.password", keyStores.password());
      p.setProperty("ssl.truststore.type", keyStores.type());
    }
    return writeCommonConfig(p);
  }

  private Path writeCommonConfig(Properties p) {
    p.setProperty("log.dirs", dir.resolve("data").toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "4");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    if (zooKeeperConnect == null) {
      p.setProperty("share.coordinator.state.topic.replication.factor", "1");
      p.setProperty("share.coordinator.state.topic.min.isr", "1");
    }
    // Tests and the demo create their topics explicitly; a typo must not silently create a new one.
    p.setProperty("auto.create.topics.enable", "false");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("log.flush.interval.messages", "9223372036854775807");
    Path file = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(out, "Sparking broker");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private Path writeLogConfig() {
    Path file = dir.resolve("log4j2.properties");
    if (!Files.exists(file)) {
      writeConsoleLogConfig(
          dir,
          "info",
          "logger.state.name = state.change.logger",
          "logger.state.level = warn",
          "logger.request.name = kafka.request.logger",
          "logger.request.level = warn");
    }
    return file;
  }
}

package io.sparking.compat.kafka;

import io.sparking.kafka.KafkaRecord;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.spark.api.java.function.Function;
import scala.Tuple2;

/**
 * A Kafka record as Spark 2.4's receiver gave it, a (key, value) pair, decoded by the job's
 * deserializers. Each task gets its own copy of this function, and so its own deserializers,
 * configured with the job's kafkaParams.
 */
final class RecordToPair<K, V> implements Function<KafkaRecord, Tuple2<K, V>> {
  private static final long serialVersionUID = 1L;

  private final Class<? extends Deserializer<K>> keyDeserializerClass;
  private final Class<? extends Deserializer<V>> valueDeserializerClass;
  private final HashMap<String, String> configs;
  private transient Deserializer<K> keys;
  private transient Deserializer<V> values;

  RecordToPair(
      Class<? extends Deserializer<K>> keyDeserializerClass,
      Class<? extends Deserializer<V>> valueDeserializerClass,
      Map<String, String> configs) {
    this.keyDeserializerClass = keyDeserializerClass;
    this.valueDeserializerClass = valueDeserializerClass;
    this.configs = new HashMap<>(configs);
  }

  @Override
  public Tuple2<K, V> call(KafkaRecord record) {
    if (keys == null) {
      keys = create(keyDeserializerClass, true);
      values = create(valueDeserializerClass, false);
    }
    return new Tuple2<>(
        keys.deserialize(record.topic(), record.key()),
        values.deserialize(record.topic(), record.value()));
  }

  /**
   * A new instance of {@code type}; also called on the driver, so that a bad class fails at
   * createStream.
   */
  static <T> Deserializer<T> instantiate(Class<? extends Deserializer<T>> type, boolean isKey) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException(
          (isKey ? "keyDeserializerClass=" : "valueDeserializerClass=")
              + type.getName()
              + " is not a deserializer this JVM can create ("
              + e
              + "): pass a public class with a"
              + " public no-argument constructor, such as org.apache.kafka.common.serialization.StringDeserializer",
          e);
    }
  }

  private <T> Deserializer<T> create(Class<? extends Deserializer<T>> type, boolean isKey) {
    Deserializer<T> deserializer = instantiate(type, isKey);
    deserializer.configure(configs, isKey);
    return deserializer;
  }
}

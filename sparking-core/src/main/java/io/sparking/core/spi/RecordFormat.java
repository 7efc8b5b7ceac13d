package io.sparking.core.spi;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.Serializable;

/**
 * How a receiver's records are written into and read from a {@link PackedRecords}: one record after
 * the other in a byte array. Implementations are stateless singletons (an enum constant): every
 * pack names its format and travels with it into blocks and the write-ahead log, and packs are read
 * on many threads at once.
 *
 * <p>Kryo's {@link Output} and {@link Input} are only the byte layout here (variable-length
 * numbers, strings, arrays); no Kryo instance or class registration is involved, so the layout is
 * the same whatever {@code spark.serializer} is.
 *
 * @param <T> the record type
 */
public interface RecordFormat<T> extends Serializable {
  /**
   * Appends {@code record} to {@code out}; {@code previous} is the record written before it in the
   * same pack (null for the first), so a format can leave out what they share.
   */
  void write(T record, T previous, Output out);

  /**
   * Reads the next record, as {@link #write} wrote it; {@code previous} is the record read before
   * it from the same pack (null for the first).
   */
  T read(T previous, Input in);
}

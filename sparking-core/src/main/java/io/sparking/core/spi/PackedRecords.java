package io.sparking.core.spi;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.Externalizable;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Up to a few thousand records of a received block written one after the other into one byte array,
 * in their {@link RecordFormat}. A receiver stores its blocks as a few packs rather than as one
 * object per record, so Spark's serializer (blocks in memory or on disk, the write-ahead log)
 * writes and reads a block at about the cost of copying it, instead of going through the
 * serializer's per-object work for every record. The stream unpacks them as a batch reads its
 * blocks ({@link DrainableReceiverStream}), so users see the records themselves.
 *
 * <p>Serialized (Java or Kryo's fallback to it) as its format, the record count and the bytes.
 */
public final class PackedRecords<T> implements Externalizable {
  private static final long serialVersionUID = 1L;

  /**
   * A pack is closed once its bytes pass this size: big enough that a pack's own overhead is small
   * per record, small enough that packing never copies much when the buffer grows.
   */
  static final int TARGET_BYTES = 256 * 1024;

  private RecordFormat<T> format;
  private int count;
  private byte[] bytes;

  /** For deserialization only. */
  public PackedRecords() {}

  private PackedRecords(RecordFormat<T> format, int count, byte[] bytes) {
    this.format = format;
    this.count = count;
    this.bytes = bytes;
  }

  /** Packs {@code records}, in order, into as many packs as their size needs. */
  public static <T> List<PackedRecords<T>> pack(RecordFormat<T> format, Iterable<T> records) {
    List<PackedRecords<T>> packs = new ArrayList<>(2);
    Output out = new Output(64 * 1024, -1);
    int count = 0;
    T previous = null;
    for (T record : records) {
      format.write(record, previous, out);
      previous = record;
      count++;
      if (out.position() >= TARGET_BYTES) {
        packs.add(new PackedRecords<>(format, count, out.toBytes()));
        out.clear();
        count = 0;
        previous = null;
      }
    }
    if (count > 0) {
      packs.add(new PackedRecords<>(format, count, out.toBytes()));
    }
    return packs;
  }

  /**
   * A pack of the {@code count} records that {@code bytes} holds, written one after the other in
   * {@code format}'s layout: for a receiver that writes records into a pack as it reads them,
   * without making the record objects first.
   */
  public static <T> PackedRecords<T> of(RecordFormat<T> format, int count, byte[] bytes) {
    if (count < 0) {
      throw new IllegalArgumentException("a pack of " + count + " records");
    }
    return new PackedRecords<>(format, count, bytes);
  }

  /**
   * The metadata of a block stored as packs: how many records it holds. Spark counts a block's
   * elements (here, packs); the stream reports this count as the batch's input size instead, which
   * Spark's UI, rate estimator and listeners read.
   */
  public record Count(long records) implements java.io.Serializable {}

  /** How many records this pack holds. */
  public int count() {
    return count;
  }

  /** The records, read from the bytes as the iterator goes. */
  public Iterator<T> iterator() {
    Input in = new Input(bytes);
    return new Iterator<>() {
      private int read;
      private T previous;

      @Override
      public boolean hasNext() {
        return read < count;
      }

      @Override
      public T next() {
        if (read >= count) {
          throw new NoSuchElementException();
        }
        read++;
        previous = format.read(previous, in);
        return previous;
      }
    };
  }

  @Override
  public void writeExternal(ObjectOutput out) throws IOException {
    out.writeObject(format);
    out.writeInt(count);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void readExternal(ObjectInput in) throws IOException, ClassNotFoundException {
    format = (RecordFormat<T>) in.readObject();
    count = in.readInt();
    int length = in.readInt();
    if (count < 0 || length < 0) {
      throw new InvalidObjectException(
          "PackedRecords of " + count + " records in " + length + " bytes");
    }
    bytes = new byte[length];
    in.readFully(bytes);
  }
}

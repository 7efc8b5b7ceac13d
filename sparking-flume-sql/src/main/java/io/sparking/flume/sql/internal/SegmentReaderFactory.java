package io.sparking.flume.sql.internal;

import io.sparking.flume.FlumeEvent;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.SerializableConfiguration;

/** Reads {@link SegmentPartition}s on the executors, through the driver's Hadoop configuration. */
final class SegmentReaderFactory implements PartitionReaderFactory {
  private static final long serialVersionUID = 1L;

  private final SerializableConfiguration conf;

  SegmentReaderFactory(SerializableConfiguration conf) {
    this.conf = conf;
  }

  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    SegmentPartition segment = (SegmentPartition) partition;
    try {
      return new Reader(segment, conf);
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot open segment " + segment.path() + " of the Flume source log: " + e, e);
    }
  }

  private static final class Reader implements PartitionReader<InternalRow> {
    private final SegmentPartition segment;
    private final DataInputStream in;
    private long position;
    private int frames;
    private Iterator<FlumeEvent> frame;
    private long frameMicros;
    private InternalRow row;

    Reader(SegmentPartition segment, SerializableConfiguration conf) throws IOException {
      this.segment = segment;
      Path path = new Path(segment.path());
      FileSystem fs = path.getFileSystem(conf.value());
      if (fs instanceof LocalFileSystem local) {
        fs = local.getRawFileSystem();
      }
      this.in = new DataInputStream(fs.open(path, 1 << 16));
      this.position = segment.segmentStart();
    }

    @Override
    public boolean next() throws IOException {
      while (position < segment.to()) {
        if (frame == null || !frame.hasNext()) {
          Segments.Frame next = Segments.next(in);
          if (next == null) {
            throw new IOException(
                "Segment "
                    + segment.path()
                    + " of the Flume source log ends at event "
                    + position
                    + ", before "
                    + segment.to()
                    + ": the file was changed after it was sealed");
          }
          if (segment.drops(frames++)) {
            // Its transaction rolled back: the agent delivered these events again.
            position += next.events().size();
            continue;
          }
          frame = next.events().iterator();
          frameMicros = next.receivedMicros();
          continue;
        }
        FlumeEvent event = frame.next();
        long at = position++;
        if (at >= segment.from()) {
          row = toRow(event, frameMicros);
          return true;
        }
      }
      return false;
    }

    @Override
    public InternalRow get() {
      return row;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private static InternalRow toRow(FlumeEvent event, long receivedMicros) {
    Map<String, String> headers = event.headers();
    Object[] keys = new Object[headers.size()];
    Object[] values = new Object[headers.size()];
    int i = 0;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      keys[i] = UTF8String.fromString(header.getKey());
      values[i++] = UTF8String.fromString(header.getValue());
    }
    return new GenericInternalRow(
        new Object[] {
          new ArrayBasedMapData(new GenericArrayData(keys), new GenericArrayData(values)),
          event.body(),
          receivedMicros
        });
  }
}

package io.sparking.flume.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the push receiver's {@code SslHandler} and turns a failed handshake into one
 * log line and one report naming the avro sink settings to fix, then closes the connection. Other
 * errors pass on unchanged.
 *
 * <p>Why: Netty's own words ("not an SSL/TLS record", "Received fatal alert: certificate_unknown")
 * say what the TLS layer saw, not that the sink lacks {@code ssl = true} or a truststore with the
 * receiver's certificate.
 */
final class SslFailureReporter extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(SslFailureReporter.class);

  private final BiConsumer<String, Throwable> failures;

  /** A reporter for one connection; {@code failures} hears each message and its cause. */
  SslFailureReporter(BiConsumer<String, Throwable> failures) {
    this.failures = failures;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String explained = explain(cause);
    if (explained == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    String message =
        "Closing the Flume connection from " + ctx.channel().remoteAddress() + ": " + explained;
    LOG.warn(message);
    // Without a close the peer would wait for an answer that never comes.
    ctx.close();
    failures.accept(message, cause);
  }

  /**
   * What a TLS failure means in terms of the avro sink's settings; null when {@code error} is no
   * TLS failure.
   */
  static String explain(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof NotSslRecordException) {
        return "the client does not speak SSL, but this receiver requires it ("
            + t.getClass().getSimpleName()
            + "). Set ssl = true on the avro sink, with a truststore holding the receiver's certificate";
      }
      if (t instanceof SSLException) {
        return "SSL handshake failed ("
            + t.getClass().getSimpleName()
            + ": "
            + t.getMessage()
            + "): most often the"
            + " client does not trust the receiver's certificate. Give the avro sink ssl = true and a truststore"
            + " (truststore, truststore-password, truststore-type) that holds the receiver's certificate or the CA"
            + " that signed it";
      }
    }
    return null;
  }
}

package io.sparking.flume;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

/**
 * Checks, before Spark starts, that Flume streams can work: fails at once with what to do, where
 * Spark would only show a receiver restarting over and over.
 */
public final class FlumePreflight {
  private FlumePreflight() {}

  /**
   * Binds each address once and lets it go again: push receivers will listen there. Meaningful only
   * where the receivers run on this machine (local mode); on a cluster they run on executors the
   * driver cannot check.
   *
   * @throws IllegalStateException naming the first address that cannot be listened on, and why
   */
  public static void checkCanListen(List<InetSocketAddress> addresses) {
    for (InetSocketAddress address : addresses) {
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(address.getHostString(), address.getPort()));
      } catch (BindException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("in use")) {
          throw new IllegalStateException(
              "port "
                  + address.getPort()
                  + " on "
                  + address.getHostString()
                  + " is"
                  + " already in use, so the receiver cannot listen there: stop what listens on it (ss -ltnp 'sport = :"
                  + address.getPort()
                  + "') or pass another port and point the Flume avro sink's port at it");
        }
        throw new IllegalStateException(
            "cannot listen on "
                + FlumeAddresses.text(address)
                + " ("
                + message
                + "):"
                + " in local mode the receiver runs on this machine, so pass one of its host names or addresses, such"
                + " as 127.0.0.1");
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException(
            "cannot listen on "
                + FlumeAddresses.text(address)
                + " ("
                + e.getMessage()
                + "): pass a host name or address of this machine where the receiver can listen");
      }
    }
  }

  /**
   * Opens and closes one connection to each agent's sink, each within {@code timeout}: pull
   * receivers will connect there.
   *
   * @throws IllegalStateException naming the first agent that does not answer, and what to check
   */
  public static void checkReachable(List<InetSocketAddress> agents, Duration timeout) {
    for (InetSocketAddress address : agents) {
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(address.getHostString(), address.getPort()),
            (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(
            "Could not reach a Flume agent's Sparking sink at "
                + FlumeAddresses.text(address)
                + ": unknown host "
                + address.getHostString()
                + ". Check the host name"
                + " (or pass the agent's IP address)",
            e);
      } catch (IOException | IllegalArgumentException e) {
        throw new IllegalStateException(
            "Could not reach a Flume agent's Sparking sink at "
                + FlumeAddresses.text(address)
                + " within "
                + timeout.toSeconds()
                + " s ("
                + e.getMessage()
                + "):"
                + " start the agent (such as bin/flume-agent agent conf/flume/pull-single.properties) and check that"
                + " its sink's hostname and port are "
                + FlumeAddresses.text(address)
                + ", or allow it more time");
      }
    }
  }
}

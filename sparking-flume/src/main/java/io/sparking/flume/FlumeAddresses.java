package io.sparking.flume;

import io.sparking.core.spi.InvalidSetting;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Flume addresses as users write them, {@code host:port} or {@code host:port,host:port,...} (IPv6
 * hosts in brackets, {@code [::1]:9999}), parsed and checked once for every stream factory and job.
 * Errors follow Sparking's one grammar, {@code <setting>=<value> is <problem>: <what to do>}.
 */
public final class FlumeAddresses {
  /** Host names, IPv4 addresses, and IPv6 addresses (without their brackets). */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%\\w]*");

  private FlumeAddresses() {}

  /** The address {@code host}:{@code port}, both as given on a command line; unresolved. */
  public static InetSocketAddress of(String host, String port) {
    String h = host == null ? "" : host.trim();
    checkHost("host", h);
    return InetSocketAddress.createUnresolved(h, port(h, port));
  }

  /**
   * The addresses of {@code list}, {@code host:port} separated by commas, as {@code setting} (the
   * name the error gives it); each once.
   */
  public static List<InetSocketAddress> parseList(String setting, String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String entry : String.valueOf(list).split(",", -1)) {
      String e = entry.trim();
      int colon = e.startsWith("[") ? e.indexOf("]:") + 1 : e.lastIndexOf(':');
      if (e.isEmpty() || colon <= 0) {
        throw InvalidSetting.of(
            setting,
            "'" + list + "'",
            "not a list of host:port (entry '"
                + e
                + "' "
                + (e.isEmpty() ? "is empty" : "has no host before a ':port'")
                + ")",
            "pass addresses separated by commas, such as agent1:9999,agent2:9999");
      }
      String host = e.substring(0, colon);
      out.add(
          of(
              host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
              e.substring(colon + 1)));
    }
    check(setting, out);
    return List.copyOf(out);
  }

  /** Checks a list of addresses given through the API: not empty, each valid, each once. */
  static void check(String setting, List<InetSocketAddress> addresses) {
    if (addresses == null || addresses.isEmpty()) {
      throw InvalidSetting.of(
          setting, addresses == null ? null : "''", "empty", "pass at least one host:port");
    }
    Set<String> seen = new HashSet<>();
    for (InetSocketAddress address : addresses) {
      if (address == null) {
        throw InvalidSetting.of(
            setting,
            render(addresses),
            "a list with a null entry",
            "pass host:port addresses only");
      }
      check(setting, address.getHostString(), address.getPort());
      if (!seen.add(text(address))) {
        throw InvalidSetting.of(
            setting,
            render(addresses),
            "a list in which " + text(address) + " appears twice",
            "name each address once");
      }
    }
  }

  /** Checks one address given through the API. */
  static void check(String setting, String host, int port) {
    checkHost(setting, host);
    if (port < 1 || port > 65535) {
      throw InvalidSetting.of(
          "port", port + " (for " + host + ")", "out of range", "pass 1 to 65535");
    }
  }

  /** {@code host:port}, as errors and logs write an address. */
  static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  private static String render(List<InetSocketAddress> addresses) {
    List<String> texts = new ArrayList<>();
    for (InetSocketAddress address : addresses) {
      texts.add(address == null ? "null" : text(address));
    }
    return String.join(",", texts);
  }

  private static void checkHost(String setting, String host) {
    if (host == null || host.isBlank()) {
      throw InvalidSetting.of(
          setting,
          "'" + (host == null ? "" : host) + "'",
          "empty",
          "pass a host name or IP address, such as 127.0.0.1");
    }
    if (!HOST.matcher(host.trim()).matches()) {
      throw InvalidSetting.of(
          setting,
          "'" + host + "'",
          "not a host name or IP address",
          "pass one such as 127.0.0.1, agent-1.example.com or ::1");
    }
  }

  private static int port(String host, String text) {
    int port;
    try {
      port = Integer.parseInt(String.valueOf(text).trim());
    } catch (NumberFormatException e) {
      throw InvalidSetting.of(
          "port", "'" + text + "' (for " + host + ")", "not a number", "pass 1 to 65535");
    }
    if (port < 1 || port > 65535) {
      throw InvalidSetting.of(
          "port", port + " (for " + host + ")", "out of range", "pass 1 to 65535");
    }
    return port;
  }
}

package news.solr;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} pairs; the names given as required must be present. */
final class Args {
  private Args() {}

  static Map<String, String> parse(String[] args, String... required) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
      }
      options.put(args[i], args[++i]);
    }
    for (String name : required) {
      if (!options.containsKey(name)) {
        throw new IllegalArgumentException("missing " + name + " (got: " + String.join(" ", args) + ")");
      }
    }
    return options;
  }
}

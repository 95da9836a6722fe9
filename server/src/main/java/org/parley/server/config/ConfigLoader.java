package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the configuration: {@code -Dparley.*} overrides, then the operator's file, then every
 * module's {@code reference.conf}. Keys under {@code parley} that no reference.conf knows are
 * rejected, so a typo fails at start-up instead of silently keeping a default.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** The merged, resolved configuration; throws {@link ConfigException} naming the bad key. */
    public static Config load(Optional<Path> operatorFile) {
        ConfigFactory.invalidateCaches();
        // Not ConfigFactory.defaultReference(): that one already has the system properties merged
        // in, so every -D typo would look like a known key.
        Config reference = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf")
                .resolve();
        Config operator = operatorFile.map(ConfigLoader::parse).orElse(ConfigFactory.empty());
        Config given = ConfigFactory.systemProperties().withFallback(operator);
        rejectUnknownKeys(given, reference);
        return given.withFallback(reference).resolve();
    }

    private static Config parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException.IO(ConfigFactory.empty().origin(),
                    "--config / PARLEY_CONFIG " + file + ": no such file");
        }
        return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
    }

    private static void rejectUnknownKeys(Config given, Config reference) {
        ConfigValue parley = given.root().get("parley");
        if (!(parley instanceof ConfigObject object)) {
            return;
        }
        List<String> leaves = new ArrayList<>();
        collectLeaves("parley", object, leaves);
        for (String path : leaves) {
            if (!known(path, reference)) {
                String hint = closestSibling(path, reference).map(s -> " (did you mean " + s + "?)").orElse("");
                throw new ConfigException.BadPath(given.origin(), path, "unknown setting" + hint);
            }
        }
    }

    private static void collectLeaves(String prefix, ConfigObject object, List<String> out) {
        for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
            String path = prefix + "." + quoteKey(e.getKey());
            if (e.getValue() instanceof ConfigObject child && !child.isEmpty()) {
                collectLeaves(path, child, out);
            } else {
                out.add(path);
            }
        }
    }

    /**
     * A path is known when reference.conf has it, when one of its ancestors is an empty object
     * there (how a reference.conf declares an open map, user names for example), or when it is an
     * index of a list setting: {@code -Dparley.turn.denied-peer-ip.0=10.0.0.0/8} is how a list is
     * given as system properties, and Typesafe Config reads such an object as a list.
     */
    private static boolean known(String path, Config reference) {
        if (reference.hasPathOrNull(path)) {
            return true;
        }
        for (int dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
            String ancestor = path.substring(0, dot);
            if (reference.hasPathOrNull(ancestor)) {
                ConfigValue v = reference.getValue(ancestor);
                return (v instanceof ConfigObject o && o.isEmpty())
                        || (v.valueType() == ConfigValueType.LIST && path.substring(dot + 1).matches("[0-9]+"));
            }
        }
        return false;
    }

    private static Optional<String> closestSibling(String path, Config reference) {
        int dot = path.lastIndexOf('.');
        String parent = path.substring(0, dot);
        String name = path.substring(dot + 1);
        if (!reference.hasPath(parent) || !(reference.getValue(parent) instanceof ConfigObject siblings)) {
            return Optional.empty();
        }
        String best = null;
        int bestDistance = 3;
        for (String candidate : siblings.keySet()) {
            int d = editDistance(name, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = parent + "." + candidate;
            }
        }
        return Optional.ofNullable(best);
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** HOCON path quoting for keys that contain dots or other special characters. */
    private static String quoteKey(String k) {
        return k.matches("[A-Za-z0-9_-]+") ? k : "\"" + k.replace("\"", "\\\"") + "\"";
    }
}

package io.parley.server.admin;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An admin command line: the command, its operands, {@code --name value} options and {@code --flag}s, any order. */
final class Args {
    /** Options that take a value. */
    private static final Set<String> VALUED = Set.of("config", "password-file", "out", "from", "id");

    private static final Set<String> FLAGS = Set.of("force", "help", "wait");

    private final List<String> positional;
    private final Map<String, String> options;
    private final Set<String> flags;

    private Args(List<String> positional, Map<String, String> options, Set<String> flags) {
        this.positional = positional;
        this.options = options;
        this.flags = flags;
    }

    static Args parse(List<String> argv) throws Admin.Failure {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String name =
                    a.equals("-c") ? "config" : a.equals("-h") ? "help" : a.startsWith("--") ? a.substring(2) : null;
            if (name == null) {
                positional.add(a);
            } else if (VALUED.contains(name)) {
                if (i + 1 >= argv.size()) {
                    throw new Admin.Failure("--" + name + " needs a value", Admin.USAGE);
                }
                options.put(name, argv.get(++i));
            } else if (FLAGS.contains(name)) {
                flags.add(name);
            } else {
                throw new Admin.Failure("unknown option " + a, Admin.USAGE);
            }
        }
        return new Args(positional, options, flags);
    }

    /** The command, or null when none was given. */
    String command() {
        return positional.isEmpty() ? null : positional.get(0);
    }

    /** The operands after the command. */
    List<String> operands() {
        return positional.isEmpty() ? List.of() : positional.subList(1, positional.size());
    }

    String option(String name) {
        return options.get(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** Fails unless exactly {@code n} operands follow the command, naming them as {@code what}. */
    void expectOperands(int n, String what) throws Admin.Failure {
        if (operands().size() != n) {
            throw new Admin.Failure(command() + " takes " + what, Admin.USAGE);
        }
    }
}

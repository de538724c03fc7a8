package dev.nova.model;

import dev.nova.NovaException;
import java.util.regex.Pattern;

/** The shape of the names operators give to clients, nodes and regions. */
public final class Names {

    /** A client, node or region name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private Names() {}

    /** Checks a client or node name; a bad one is INVALID with a message saying what is allowed. */
    public static String checkName(String name) {
        if (name == null || name.isBlank()) {
            throw NovaException.invalid("name is required");
        }
        if (!NAME.matcher(name).matches()) {
            throw NovaException.invalid("name '" + name + "' is invalid: use 1 to 64 letters, digits, '.', '_' or "
                    + "'-', starting with a letter or digit");
        }
        return name;
    }

    public static boolean isRegion(String region) {
        return region != null && NAME.matcher(region).matches();
    }
}

package io.flinklite.runtime.state;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The one layout of keyed state in a snapshot, shared by the keyed operators: {@code "keyGroups": [{"keyGroup": g,
 * "keys": [<key object>...]}]}, groups ascending and without the empty ones, each group's keys sorted, each key
 * object starting with its {@code "key"}. A restore can take any subset of groups, from one snapshot or several.
 * Task thread, between batches.
 */
public final class KeyGroupedState {

    /** Writes the fields of one key's object after its {@code "key"}. */
    @FunctionalInterface
    public interface KeyWriter<T> {
        void write(T entry, StateWriter out);
    }

    /** Reads one key's object after its {@code "key"} (checked to belong to its group) and before its end. */
    @FunctionalInterface
    public interface KeyReader {
        void read(String key, StateReader in);
    }

    private KeyGroupedState() {
    }

    /** Writes {@code "keyGroups"} for {@code entries}, whose keys {@code key} gives. */
    @SuppressWarnings("unchecked")
    public static <T> void write(StateWriter out, Iterable<T> entries, Function<T, String> key, KeyWriter<T> writer) {
        List<T>[] groups = new List[KeyGroups.COUNT];
        for (T e : entries) {
            int g = KeyGroups.of(key.apply(e));
            if (groups[g] == null) {
                groups[g] = new ArrayList<>();
            }
            groups[g].add(e);
        }
        out.beginArray("keyGroups");
        for (int g = 0; g < KeyGroups.COUNT; g++) {
            if (groups[g] == null) {
                continue;
            }
            groups[g].sort((a, b) -> key.apply(a).compareTo(key.apply(b)));
            out.beginObject(null);
            out.writeLong("keyGroup", g);
            out.beginArray("keys");
            for (T e : groups[g]) {
                out.beginObject(null);
                out.writeString("key", key.apply(e));
                writer.write(e, out);
                out.endObject();
            }
            out.endArray();
            out.endObject();
        }
        out.endArray();
    }

    /**
     * Reads what {@link #write} wrote, handing each key to {@code reader}.
     *
     * @throws StateFormatException when a group is outside {@code [0, KeyGroups.COUNT)} or holds a key of another
     */
    public static void read(StateReader in, KeyReader reader) {
        in.beginArray("keyGroups");
        while (in.hasNext()) {
            in.beginObject(null);
            long group = in.readLong("keyGroup");
            if (group < 0 || group >= KeyGroups.COUNT) {
                throw new StateFormatException("key group " + group + " is outside [0, " + KeyGroups.COUNT + ")");
            }
            in.beginArray("keys");
            while (in.hasNext()) {
                in.beginObject(null);
                String key = in.readString("key");
                if (KeyGroups.of(key) != group) {
                    throw new StateFormatException("key '" + key + "' belongs to key group " + KeyGroups.of(key)
                            + ", not " + group);
                }
                reader.read(key, in);
                in.endObject();
            }
            in.endArray();
            in.endObject();
        }
        in.endArray();
    }
}

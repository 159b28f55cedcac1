package io.flinklite.runtime.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns key bytes into a {@code String} without allocating when the key was seen before: an open-addressing table from
 * byte content to the one {@code String} made for it. Bounded: once {@link #MAX_ENTRIES} distinct keys are held,
 * further new keys get a fresh {@code String} each time (correct, just not shared), so a stream of unique keys
 * cannot exhaust memory.
 */
public final class KeyInterner {
    static final int MAX_ENTRIES = 1 << 16;

    private byte[][] bytes = new byte[256][];
    private String[] strings = new String[256];
    private int[] hashes = new int[256];
    private int size;

    /** The start value of {@link #hashStep}: a key's hash is {@code hashStep} folded over its bytes from this. */
    static final int HASH_SEED = 1;

    /** One byte of a key's hash; callers that scan the key anyway compute it in that pass. */
    static int hashStep(int h, byte c) {
        return 31 * h + c;
    }

    /** The string for UTF-8 {@code b[from, to)}. */
    public String intern(byte[] b, int from, int to) {
        int h = HASH_SEED;
        for (int i = from; i < to; i++) {
            h = hashStep(h, b[i]);
        }
        return intern(b, from, to, h);
    }

    /** The string for UTF-8 {@code b[from, to)}, whose hash ({@link #hashStep} over its bytes) the caller computed. */
    String intern(byte[] b, int from, int to, int h) {
        int mask = bytes.length - 1;
        int i = mix(h) & mask;
        while (true) {
            byte[] candidate = bytes[i];
            if (candidate == null) {
                break;
            }
            if (hashes[i] == h && Arrays.equals(candidate, 0, candidate.length, b, from, to)) {
                return strings[i];
            }
            i = (i + 1) & mask;
        }
        String s = new String(b, from, to - from, StandardCharsets.UTF_8);
        if (size >= MAX_ENTRIES) {
            return s;
        }
        bytes[i] = Arrays.copyOfRange(b, from, to);
        strings[i] = s;
        hashes[i] = h;
        if (++size * 2 > bytes.length) {
            grow();
        }
        return s;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private void grow() {
        byte[][] oldBytes = bytes;
        String[] oldStrings = strings;
        int[] oldHashes = hashes;
        int cap = oldBytes.length * 2;
        bytes = new byte[cap][];
        strings = new String[cap];
        hashes = new int[cap];
        int mask = cap - 1;
        for (int j = 0; j < oldBytes.length; j++) {
            if (oldBytes[j] != null) {
                int i = mix(oldHashes[j]) & mask;
                while (bytes[i] != null) {
                    i = (i + 1) & mask;
                }
                bytes[i] = oldBytes[j];
                strings[i] = oldStrings[j];
                hashes[i] = oldHashes[j];
            }
        }
    }
}

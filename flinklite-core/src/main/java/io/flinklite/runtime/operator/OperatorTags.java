package io.flinklite.runtime.operator;

import io.flinklite.api.OutputTag;

/** Side outputs every operator may emit, with one engine-wide tag each. */
public final class OperatorTags {

    /**
     * Elements later than the allowed lateness for every window they belong to. The element is what the operator
     * received; a sink that wants the original record writes the bytes of the {@link RecordContext}.
     */
    public static final OutputTag<Object> LATE_DATA = new OutputTag<>("late-data");

    private OperatorTags() {
    }
}

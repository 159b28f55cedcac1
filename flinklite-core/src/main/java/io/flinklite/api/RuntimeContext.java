package io.flinklite.api;

/**
 * Declares the keyed state of a {@link KeyedProcessFunction}, in {@link KeyedProcessFunction#open}, as Flink's
 * {@code RuntimeContext#getState}. Each call with a new name registers that state; a second call with the same name
 * and kind returns the same handle. State names are what checkpoints file state under: renaming one loses its
 * checkpointed contents (a restore refuses a checkpoint holding state the function no longer declares).
 *
 * <p>Each method throws {@link IllegalArgumentException} when the name is already declared as another kind of state,
 * and {@link IllegalStateException} when called after {@code open} returned.
 */
public interface RuntimeContext {

    <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor);

    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

    <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor);
}

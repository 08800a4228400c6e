/** A Map or a WeakMap: what `cached` keeps values in. */
interface Store<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
  readonly size?: number;
  clear?(): void;
}

/**
 * What `build` gives for `key`, built once and kept in `cache`. A cache keyed by text that could grow
 * without end is cleared when it holds `max` entries: cheaper than tracking use, and each is rebuilt
 * on demand.
 */
export function cached<K, V>(cache: Store<K, V>, key: K, build: () => V, max = Infinity): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    if ((cache.size ?? 0) >= max) cache.clear?.();
    cache.set(key, value);
  }
  return value;
}

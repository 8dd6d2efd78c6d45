// A pure function of a string key, remembered: for values that hot paths ask for again and again
// (a client's rate-limit key, a statement's name). Bounded: forgotten all at once when full.
export function remembered<V>(compute: (key: string) => V, maxEntries: number): (key: string) => V {
  const values = new Map<string, V>();
  return (key) => {
    let value = values.get(key);
    if (value === undefined) {
      if (values.size >= maxEntries) values.clear();
      value = compute(key);
      values.set(key, value);
    }
    return value;
  };
}

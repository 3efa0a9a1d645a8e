/**
 * Growing typed columns of (id, id, value) triples: the ratings read (user,
 * movie, rating) and the pairs computed (movie, neighbour, score), 12 bytes
 * each where row objects took gigabytes at 100x.
 */
export class Triples {
  a = new Int32Array(1 << 16);
  b = new Int32Array(1 << 16);
  value = new Float32Array(1 << 16);
  size = 0;

  push(a: number, b: number, value: number): void {
    if (this.size === this.a.length) {
      const grow = <T extends Int32Array | Float32Array>(old: T, make: (n: number) => T) => {
        const bigger = make(old.length * 2);
        bigger.set(old);
        return bigger;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.value = grow(this.value, (n) => new Float32Array(n));
    }
    this.a[this.size] = a;
    this.b[this.size] = b;
    this.value[this.size] = value;
    this.size++;
  }

  /** The filled part of each column (views, no copy: a thread transfers their buffers). */
  columns(): TripleColumns {
    return {
      a: this.a.subarray(0, this.size),
      b: this.b.subarray(0, this.size),
      value: this.value.subarray(0, this.size),
    };
  }
}

/** Columns in plain (transferable) buffers. */
export interface TripleColumns {
  a: Int32Array<ArrayBuffer>;
  b: Int32Array<ArrayBuffer>;
  value: Float32Array<ArrayBuffer>;
}

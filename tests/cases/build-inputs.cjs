// Builds the rows of bad-inputs.json in their JS form (see its "recipe"), and
// packs frames as the kernel would. Used by jest (require) and, loaded as a
// classic script, in Chromium (window.cloudreelCases) by tests/e2e/bad-inputs.test.mjs.
(function (root, factory) {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.cloudreelCases = api;
})(typeof self !== 'undefined' ? self : this, function () {
  const SPECIAL = { nan: NaN, inf: Infinity, '-inf': -Infinity };
  const TYPED = {
    float32: Float32Array, float64: Float64Array, int16: Int16Array, int32: Int32Array,
    uint8: Uint8Array, uint16: Uint16Array, int64: BigInt64Array,
  };
  const FLOAT_DTYPES = ['float32', 'float64', 'float16', '>f4', '>f8', 'list'];

  /** A table value: a number, 'nan'/'inf'/'-inf', or {str: s}. */
  function value(v) {
    if (typeof v === 'string' && v in SPECIAL) return SPECIAL[v];
    if (v && typeof v === 'object' && 'str' in v) return v.str;
    return v;
  }

  const count = (shape) => shape.reduce((a, b) => a * b, 1);

  /** Flat values of `what` ('points', 'colors', 'values' or 'categories') for `shape` and `dtype`, with `offset` (points) and `set` applied. */
  function values(what, shape, dtype, set, offset) {
    const width = shape.length > 1 ? shape[1] : 1;
    const flat = Array.from({ length: count(shape) }, (_, j) => {
      if (what === 'points') return (j % 17) + (offset?.[j % width] ?? 0);
      if (what === 'values') return FLOAT_DTYPES.includes(dtype) ? (j % 7) * 0.5 : j % 7;
      if (what === 'categories') return (3 * j) % 19;
      return FLOAT_DTYPES.includes(dtype) ? (j % 5) / 4 : (37 * j) % 256;
    });
    for (const [key, v] of Object.entries(set ?? {})) {
      const m = /^(points|colors|values|categories)\[(\d+)\](?:\[(\d+)\])?$/.exec(key);
      if (!m) throw new Error(`bad set key ${key}`);
      if (m[1] === what) flat[Number(m[2]) * width + Number(m[3] ?? 0)] = value(v);
    }
    return flat;
  }

  function nest(flat, shape) {
    if (shape.length <= 1) return flat.slice();
    const step = count(shape.slice(1));
    return Array.from({ length: shape[0] }, (_, i) => nest(flat.slice(i * step, (i + 1) * step), shape.slice(1)));
  }

  /** The JS form of an array: a typed array where JS has one, plain rows where a shape must be kept. */
  function holder(flat, shape, dtype, layout) {
    if (dtype === 'bool') return flat.map(Boolean);
    if (dtype === 'str') return flat.map(String);
    const plain = dtype === 'list' || dtype === 'list-int';
    const keepsShape = shape.length > 2 || (shape.length === 2 && shape[1] !== 3);
    if (keepsShape || (plain && shape.length === 2)) return nest(flat, shape);
    if (plain) return flat.slice();
    const Typed = TYPED[dtype];
    if (!Typed) throw new Error(`dtype ${dtype} has no JS form`);
    const items = dtype === 'int64' ? flat.map((v) => BigInt(v)) : flat;
    if (layout !== 'strided') return Typed.from(items);
    // JS typed arrays are contiguous; the nearest thing is a view into a larger buffer.
    const buffer = new Typed(items.length + 5);
    buffer.set(items, 3);
    return buffer.subarray(3, 3 + items.length);
  }

  const pointsShape = (f) => f.shape ?? [f.n ?? 4, 3];
  const colorsShape = (f) => f.colors.shape ?? [pointsShape(f)[0], 3];
  /** Shape of a frame's values or categories recipe: [n] unless it says otherwise. */
  const perPointShape = (f, what) => f[what].shape ?? [pointsShape(f)[0]];
  const PER_POINT_DTYPE = { values: 'float32', categories: 'uint8' };

  /** One frame recipe in JS form: {points, colors?}. */
  function buildFrame(f) {
    const shape = pointsShape(f);
    const dtype = f.dtype ?? 'float32';
    const frame = { points: holder(values('points', shape, dtype, f.set, f.offset), shape, dtype, f.layout) };
    if (f.colors) {
      const cdtype = f.colors.dtype ?? 'float32';
      frame.colors = holder(values('colors', colorsShape(f), cdtype, f.colors.set), colorsShape(f), cdtype, f.colors.layout);
    }
    for (const what of ['values', 'categories']) {
      if (!f[what]) continue;
      const dtype = f[what].dtype ?? PER_POINT_DTYPE[what];
      frame[what] = holder(values(what, perPointShape(f, what), dtype, f[what].set), perPointShape(f, what), dtype, f[what].layout);
    }
    return frame;
  }

  /** A row's frames in JS form; a {stack} becomes the list of its rows, each in JS form. */
  function buildFrames(frames) {
    if (Array.isArray(frames)) return frames.map(buildFrame);
    const { stack, dtype } = frames;
    const flat = values('points', stack, dtype, {});
    const step = count(stack.slice(1));
    return Array.from({ length: stack[0] }, (_, i) => holder(flat.slice(i * step, (i + 1) * step), stack.slice(1), dtype));
  }

  /** What an accepted frame must become: float32 positions (relative to `origin`), 0..255 colours, float32 values, byte categories (or null). */
  function expectedFrame(f, origin = [0, 0, 0]) {
    const shape = pointsShape(f);
    const world = values('points', shape, f.dtype ?? 'float32', f.set, f.offset);
    const positions = Array.from(Float32Array.from(world, (v, j) => v - origin[j % 3]));
    let colors = null;
    if (f.colors) {
      const cdtype = f.colors.dtype ?? 'float32';
      const raw = values('colors', colorsShape(f), cdtype, f.colors.set);
      // Floats are rounded half up on both sides (Math.round; the kernel matches it).
      colors = FLOAT_DTYPES.includes(cdtype) ? raw.map((c) => Math.round(Math.fround(c) * 255)) : raw;
    }
    const perPoint = (what, convert) => {
      if (!f[what]) return null;
      return values(what, perPointShape(f, what), f[what].dtype ?? PER_POINT_DTYPE[what], f[what].set).map(convert);
    };
    return { positions, colors, count: shape[0], values: perPoint('values', Math.fround), categories: perPoint('categories', Number) };
  }

  /** Header and payload exactly as python/cloudreel/wire.py packs them, without its checks. */
  function packWire(frames) {
    const parts = [];
    const header = { frames: [], total_bytes: 0, origin: [0, 0, 0] };
    for (const f of frames) {
      const e = expectedFrame(f);
      parts.push(new Uint8Array(Float32Array.from(values('points', pointsShape(f), f.dtype ?? 'float32', f.set, f.offset)).buffer));
      const entry = { points: e.count, colors: Boolean(e.colors) };
      if (e.colors) {
        const padded = new Uint8Array((e.colors.length + 3) & ~3);
        padded.set(e.colors);
        parts.push(padded);
      }
      if (e.values) {
        parts.push(new Uint8Array(Float32Array.from(e.values).buffer));
        entry.values = true;
      }
      if (e.categories) {
        const padded = new Uint8Array((e.categories.length + 3) & ~3);
        padded.set(e.categories);
        parts.push(padded);
        entry.categories = true;
      }
      header.frames.push(entry);
    }
    const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (payload.set(p, at), at + p.length), 0);
    header.total_bytes = payload.length;
    return { header, payload };
  }

  /**
   * The kernel's messages for a wire row, tampered as the row says:
   * [{type: 'frames-begin', ...}, {type: 'frames-chunk', ..., data}, ..., {type: 'frames-end'}].
   */
  function wireMessages(row, version = 1) {
    const { header, payload } = packWire(row.frames);
    const size = row.chunk_bytes;
    let chunks = [];
    for (let offset = 0, index = 0; offset < payload.length; offset += size, index++) {
      chunks.push({ index, offset, data: payload.slice(offset, offset + size) });
    }
    let declared = chunks.length;
    for (const op of row.tamper ?? []) {
      if (op.set) {
        for (const [path, v] of Object.entries(op.set)) {
          const m = /^frames\[(\d+)\]\.(points|colors|values|categories)$/.exec(path);
          if (m) header.frames[Number(m[1])][m[2]] = v;
          else header[path] = v;
        }
      }
      if (op.origin) header.origin = op.origin.map(value);
      if ('chunks' in op) declared = op.chunks;
      if ('drop' in op) chunks = chunks.filter((c) => c.index !== op.drop);
      if ('repeat' in op) chunks.push({ ...chunks.find((c) => c.index === op.repeat) });
      if (op.offset) chunks.find((c) => c.index === op.offset[0]).offset = op.offset[1];
      if (op.index) chunks.find((c) => c.index === op.index[0]).index = op.index[1];
      if (op.resize) {
        const c = chunks.find((x) => x.index === op.resize[0]);
        const bigger = new Uint8Array(Math.max(0, c.data.length + op.resize[1]));
        bigger.set(c.data.subarray(0, bigger.length));
        c.data = bigger;
      }
      if (op.pad) {
        // The first padding byte after frame op.pad[0]'s colours (or, with 'categories' third, its categories).
        const [frame, byte, block = 'colors'] = op.pad;
        let at = 0;
        header.frames.forEach((f, i) => {
          const sizes = { colors: f.colors ? (f.points * 3 + 3) & ~3 : 0, values: f.values ? f.points * 4 : 0, categories: f.categories ? (f.points + 3) & ~3 : 0 };
          at += f.points * 12;
          for (const name of ['colors', 'values', 'categories']) {
            if (i === frame && name === block) {
              const where = at + f.points * (block === 'colors' ? 3 : 1);
              const c = chunks.find((x) => x.offset <= where && where < x.offset + x.data.length);
              c.data[where - c.offset] = byte;
            }
            at += sizes[name];
          }
        });
      }
    }
    return [
      { type: 'frames-begin', version, header, chunks: declared },
      ...chunks.map((c) => ({ type: 'frames-chunk', version, index: c.index, offset: c.offset, data: c.data })),
      { type: 'frames-end', version },
    ];
  }

  /** A row's options in JS form. */
  const buildOptions = (options) => Object.fromEntries(Object.entries(options).map(([k, v]) => [k, value(v)]));

  /** The side's expectation of a row: row.js (or row.python) replaces the shared one. */
  function expectation(row, side) {
    const own = row[side];
    if (own) return own;
    return 'reject' in row ? { reject: row.reject } : { accept: row.accept };
  }

  return { buildFrames, buildOptions, expectedFrame, packWire, wireMessages, expectation, value };
});

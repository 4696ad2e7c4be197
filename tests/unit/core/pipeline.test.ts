import { runExport, yieldToPage } from '../../../src/core/pipeline';
import type { ExportStatus } from '../../../src/core/status';
import { fakeEncoder, fakeStages, frames } from '../fakes';

function collect() {
  const statuses: ExportStatus[] = [];
  return { statuses, onStatus: (s: ExportStatus) => statuses.push(s) };
}

describe('status sequence', () => {
  test('the original messages, in order, with growing fractions ending at 1', async () => {
    const { statuses, onStatus } = collect();
    const h264 = fakeEncoder('ffmpeg-h264');
    const result = await runExport(frames(4), { fps: 2, onStatus }, fakeStages([h264]));

    // Frames render as the encoder takes them; "Encoding video..." once it has them all.
    expect(statuses.map((s) => s.message)).toEqual([
      'Initializing export...',
      'Preparing to render 4 frames...',
      'Trying ffmpeg-h264 description...',
      'Rendering frame 1/4 (25%)',
      'Rendering frame 2/4 (50%)',
      'Rendering frame 3/4 (75%)',
      'Rendering frame 4/4 (100%)',
      'Encoding video...',
      'Encoding video...',
      'Encoding video...',
      'Video ready! (0.0 MB)',
    ]);
    expect(statuses.map((s) => s.phase)).toEqual([
      'init', 'prepare', 'encode', 'render', 'render', 'render', 'render', 'encode', 'encode', 'encode', 'done',
    ]);
    const fractions = statuses.map((s) => s.fraction);
    expect(fractions[0]).toBe(0);
    expect(fractions[fractions.length - 1]).toBe(1);
    fractions.slice(1).forEach((f, i) => expect(f).toBeGreaterThanOrEqual(fractions[i]!));
    expect(fractions.every((f) => f >= 0 && f <= 1)).toBe(true);
    // encoding progress moved the bar past where rendering left it
    expect(statuses[9]!.fraction).toBeGreaterThan(statuses[6]!.fraction);
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.renderMs);

    expect(result).toMatchObject({ codec: 'ffmpeg-h264', frames: 4, durationSeconds: 2, mimeType: 'video/mp4', extension: 'mp4' });
    expect(result.bytes).toBe(result.blob.size);
  });

  test('Video ready! reports megabytes with one decimal', async () => {
    const { statuses, onStatus } = collect();
    const big = fakeEncoder('big');
    big.encode = async () => {
      const b = new Uint8Array(Math.round(2.46 * 1024 * 1024));
      b.set([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70]);
      return b;
    };
    delete big.probe;
    await runExport(frames(1), { onStatus, codecs: ['big'] }, fakeStages([big]));
    expect(statuses[statuses.length - 1]!.message).toBe('Video ready! (2.5 MB)');
  });

  test('a validation error is reported as Export failed and rejects', async () => {
    const { statuses, onStatus } = collect();
    const bad = [{ points: [0, 0, 0] }, { points: [0, NaN, 0] }];
    await expect(runExport(bad, { onStatus }, fakeStages([fakeEncoder('ffmpeg-h264')]))).rejects.toThrow(/frames\[1\]/);
    expect(statuses.map((s) => s.message)).toEqual([
      'Initializing export...',
      'Preparing to render 2 frames...',
      'Export failed: frames[1]: point 0 has a non-finite y coordinate (NaN)',
    ]);
    expect(statuses[2]!.phase).toBe('error');
  });

  test.each([
    [{ width: 641 }, /width must be even/],
    [{ height: 0 }, /height must be a positive whole number/],
    [{ width: 100000 }, /larger than 8192/],
    [{ fps: 0 }, /fps must be a number from 0.01 to 240/],
    [{ fps: NaN }, /fps must be a number from 0.01 to 240/],
    [{ codecs: ['ffmpeg-av1'] }, /Unknown codec "ffmpeg-av1": choose from ffmpeg-h264/],
    [{ codecs: [] }, /codecs is empty/],
  ])('option %p is rejected clearly', async (options, message) => {
    const { statuses, onStatus } = collect();
    await expect(runExport(frames(2), { ...options, onStatus }, fakeStages([fakeEncoder('ffmpeg-h264')]))).rejects.toThrow(message);
    expect(statuses[statuses.length - 1]!.message).toMatch(/^Export failed: /);
  });
});

describe('cancellation', () => {
  test('aborting during rendering rejects with an AbortError, disposes the renderer and stops pulling frames', async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const { statuses, onStatus } = collect();
    const h264 = fakeEncoder('ffmpeg-h264');
    const stages = fakeStages([h264], log);
    const created = stages.createRenderer;
    stages.createRenderer = (set, o) => {
      const r = created(set, o);
      const render = r.render.bind(r);
      r.render = async (i, f) => {
        if (i === 2) controller.abort();
        return render(i, f);
      };
      return r;
    };
    await expect(runExport(frames(6), { signal: controller.signal, onStatus }, stages)).rejects.toMatchObject({ name: 'AbortError' });
    expect(log).toEqual(['render 0', 'render 1', 'render 2', 'dispose']);
    expect(h264.calls).toHaveLength(1);
    expect(statuses[statuses.length - 1]).toMatchObject({ phase: 'error', message: 'Export cancelled' });
  });

  test('a frame still drawing when the encoder gives up on the abort reports nothing after "Export cancelled"', async () => {
    const controller = new AbortController();
    const { statuses, onStatus } = collect();
    let finishDraw!: () => void;
    const drawing = new Promise<void>((resolve) => (finishDraw = resolve));
    const quitter = fakeEncoder('quitter');
    // Like an encoder listening to the signal: it rejects as soon as the abort comes, while frame 1 is still being drawn.
    quitter.encode = (job) =>
      new Promise((_resolve, reject) => {
        job.signal!.addEventListener('abort', () => reject(job.signal!.reason));
        void job.frames.image(0, 'rgba');
      });
    const stages = fakeStages([quitter]);
    const created = stages.createRenderer;
    stages.createRenderer = (set, o) => {
      const r = created(set, o);
      const render = r.render.bind(r);
      r.render = async (i, f) => {
        controller.abort();
        await drawing;
        return render(i, f);
      };
      return r;
    };
    await expect(runExport(frames(3), { signal: controller.signal, onStatus, codecs: ['quitter'] }, stages)).rejects.toMatchObject({ name: 'AbortError' });
    finishDraw();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statuses[statuses.length - 1]).toMatchObject({ phase: 'error', message: 'Export cancelled' });
  });

  test('an already aborted signal rejects at once', async () => {
    const log: string[] = [];
    await expect(runExport(frames(2), { signal: AbortSignal.abort() }, fakeStages([fakeEncoder('x')], log))).rejects.toMatchObject({ name: 'AbortError' });
    expect(log).toEqual([]);
  });
});

test('a FrameSet from toFrameSet is taken as it is', async () => {
  const { toFrameSet } = await import('../../../src/core/frames');
  const set = toFrameSet(frames(3));
  const result = await runExport(set, {}, fakeStages([fakeEncoder('ffmpeg-h264')]));
  expect(result.frames).toBe(3);
});

test('a fallback encoder renders the frames again (rendering is deterministic) and the bar never goes back', async () => {
  const log: string[] = [];
  const { statuses, onStatus } = collect();
  const first = fakeEncoder('first');
  const encode = first.encode.bind(first);
  first.encode = async (job) => {
    await encode(job);
    throw new Error('broke after all frames');
  };
  const result = await runExport(frames(3), { onStatus, codecs: ['first', 'second'] }, fakeStages([first, fakeEncoder('second')], log));
  expect(result.codec).toBe('second');
  expect(log.filter((l) => l.startsWith('render'))).toEqual(['render 0', 'render 1', 'render 2', 'render 0', 'render 1', 'render 2']);
  const fractions = statuses.map((s) => s.fraction);
  fractions.slice(1).forEach((f, i) => expect(f).toBeGreaterThanOrEqual(fractions[i]!));
  expect(statuses.filter((s) => s.message === 'Rendering frame 1/3 (33%)')).toHaveLength(2);
});

test('a lost WebGL context is reported at the frame where the CPU rasteriser took over, once', async () => {
  const { statuses, onStatus } = collect();
  const log: string[] = [];
  const stages = fakeStages([fakeEncoder('first', 'throw'), fakeEncoder('second')], log);
  const created = stages.createRenderer;
  stages.createRenderer = (set, o) => {
    // A renderer that behaves as render.ts does: after loseContext(), the next frame is drawn by the CPU.
    const r = created(set, o);
    let kind: 'webgl' | 'cpu' = 'webgl';
    let losing = false;
    const render = r.render.bind(r);
    Object.defineProperty(r, 'kind', { get: () => kind });
    return Object.assign(r, {
      loseContext: () => {
        log.push('lose');
        losing = true;
      },
      render: async (i: number, f: 'png') => {
        if (losing) [kind, losing] = ['cpu', false];
        return render(i, f);
      },
    });
  };
  await runExport(frames(4), { onStatus, codecs: ['first', 'second'], testFaults: { webgl: 'lose-context' } }, stages);
  expect(log.filter((l) => l === 'lose')).toHaveLength(1);
  expect(log.indexOf('lose')).toBe(log.indexOf('render 2') - 1);
  const messages = statuses.map((s) => s.message);
  expect(messages.filter((m) => m.startsWith('WebGL'))).toEqual(['WebGL context lost at frame 3/4: drawing the rest with the CPU rasteriser']);
  expect(messages.indexOf('WebGL context lost at frame 3/4: drawing the rest with the CPU rasteriser')).toBe(messages.indexOf('Rendering frame 3/4 (75%)') - 1);
});

test('yielding between frames waits on no timer (nested timers are clamped to 4 ms each), in a visible page too', async () => {
  const g = globalThis as { document?: unknown };
  g.document = { visibilityState: 'visible' }; // a shown page (this environment has no document)
  jest.useFakeTimers();
  try {
    // With timers frozen, a timer-based yield would never resolve and this would time out.
    for (let i = 0; i < 10; i++) await yieldToPage();
    expect(jest.getTimerCount()).toBe(0);
  } finally {
    jest.useRealTimers();
    delete g.document;
  }
});

import { EncodeChainError, encodeWithFallback } from '../../../../src/core/encode/chain';
import { StatusReporter, type ExportStatus } from '../../../../src/core/status';
import { fakeEncoder, fakeFrames } from '../../fakes';

const job = { frames: fakeFrames(2), imageFormat: 'png' as const, width: 4, height: 4, fps: 5 };

function reporter() {
  const statuses: ExportStatus[] = [];
  return { statuses, status: new StatusReporter((s) => statuses.push(s)) };
}

describe('encodeWithFallback', () => {
  test.each(['throw', 'garbage', 'empty', 'unsupported', 'wrong-frames'] as const)(
    'an encoder that fails by "%s" is skipped for the next one',
    async (behaviour) => {
      const { status, statuses } = reporter();
      const first = fakeEncoder('first', behaviour);
      const second = fakeEncoder('second', 'ok', 'webm');
      const result = await encodeWithFallback([first, second], job, status);
      expect(result.encoder.id).toBe('second');
      expect(result.attempts.map((a) => [a.codec, a.error === undefined])).toEqual([['first', false], ['second', true]]);
      expect(statuses.filter((s) => s.message.startsWith('Trying')).map((s) => s.message)).toContain('Trying second description...');
    },
  );

  test('failure reasons say what was wrong', async () => {
    const encoders = [
      fakeEncoder('thrower', 'throw'),
      fakeEncoder('garbler', 'garbage'),
      fakeEncoder('empty', 'empty'),
      fakeEncoder('nope', 'unsupported'),
      fakeEncoder('short', 'wrong-frames'),
    ];
    const error = await encodeWithFallback(encoders, job, reporter().status).catch((e) => e);
    expect(error).toBeInstanceOf(EncodeChainError);
    expect(error.attempts.map((a: { error: string }) => a.error)).toEqual([
      'thrower blew up',
      'the output is not a valid MP4 file (no "ftyp" box at byte 4)',
      'the encoder produced an empty file',
      'not supported in this browser',
      'the output holds 1 frames, expected 2',
    ]);
    expect(error.message).toMatch(/^every codec failed: thrower description \[thrower\]: thrower blew up; garbler description/);
  });

  test('the order given is the order tried, and it stops at the first success', async () => {
    const order: string[] = [];
    const encoders = ['c', 'a', 'b'].map((id) => {
      const e = fakeEncoder(id, id === 'a' ? 'ok' : 'throw');
      const encode = e.encode.bind(e);
      e.encode = (j) => (order.push(id), encode(j));
      return e;
    });
    const result = await encodeWithFallback(encoders, job, reporter().status);
    expect(order).toEqual(['c', 'a']);
    expect(result.encoder.id).toBe('a');
  });

  test('injected faults make a working encoder fail, by a failed run or by garbage output', async () => {
    const encoders = [fakeEncoder('x'), fakeEncoder('y'), fakeEncoder('z', 'ok', 'gif')];
    const result = await encodeWithFallback(encoders, job, reporter().status, { x: 'fail', y: 'garbage' });
    expect(result.encoder.id).toBe('z');
    expect(result.attempts[0]!.error).toBe('x injected failure');
    expect(result.attempts[1]!.error).toMatch(/not a valid MP4 file/);
  });

  test('an abort is not a codec failure: it stops the chain', async () => {
    const controller = new AbortController();
    const first = fakeEncoder('first');
    first.encode = async () => {
      controller.abort();
      throw new Error('terminated');
    };
    const second = fakeEncoder('second');
    await expect(encodeWithFallback([first, second], { ...job, signal: controller.signal }, reporter().status)).rejects.toMatchObject({ name: 'AbortError' });
    expect(second.calls).toHaveLength(0);
  });

  test('when an engine cannot start, its other encoders are skipped and the next engine is tried', async () => {
    const { status, statuses } = reporter();
    const onEngine = (id: string) => Object.assign(fakeEncoder(id), { engine: 'wasm-thing' });
    const [a, b] = [onEngine('a'), onEngine('b')];
    a.encode = async () => {
      throw Object.assign(new Error('wasm-thing could not be loaded: HTTP 404'), { engine: 'wasm-thing' });
    };
    const other = fakeEncoder('other', 'ok', 'webm');
    const result = await encodeWithFallback([a, b, other], job, status);
    expect(result.encoder.id).toBe('other');
    expect(b.calls).toHaveLength(0);
    expect(result.attempts.map((t) => t.error)).toEqual(['wasm-thing could not be loaded: HTTP 404', 'skipped: wasm-thing could not be loaded', undefined]);
    expect(statuses.filter((s) => s.message.startsWith('Trying')).map((s) => s.message)).toEqual(['Trying a description...', 'Trying other description...']);
  });

  test('an ordinary failure of one encoder does not skip the others on its engine', async () => {
    const [a, b] = ['a', 'b'].map((id) => Object.assign(fakeEncoder(id, id === 'a' ? 'throw' : 'ok'), { engine: 'wasm-thing' }));
    const result = await encodeWithFallback([a!, b!], job, reporter().status);
    expect(result.encoder.id).toBe('b');
  });
});

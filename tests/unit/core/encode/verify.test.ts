import { checkContainer } from '../../../../src/core/encode/verify';
import { validFile } from '../../fakes';

test.each(['mp4', 'webm', 'gif'] as const)('a %s signature passes for its own container only', (container) => {
  expect(() => checkContainer(validFile(container), container)).not.toThrow();
  for (const other of ['mp4', 'webm', 'gif'] as const) {
    if (other !== container) expect(() => checkContainer(validFile(container), other)).toThrow(/not a valid/);
  }
});

test('empty and truncated files fail', () => {
  expect(() => checkContainer(new Uint8Array(), 'mp4')).toThrow('the encoder produced an empty file');
  expect(() => checkContainer(validFile('mp4').subarray(0, 8), 'mp4')).toThrow(/not a valid MP4/);
});

// The page side of tests/cases/messages.json (src/widget/protocol.ts): the
// kernel's messages as python/cloudreel/protocol.py builds them pass the check
// unchanged, malformed ones fail with the table's words, unknown kinds are
// ignored; the page's builders make exactly the messages the kernel accepts
// (tests/python/test_protocol.py checks those on the kernel side).
import fs from 'node:fs';
import path from 'node:path';
import * as protocol from '../../../src/widget/protocol';
import { TransferError } from '../../../src/widget/frame-transfer';

interface Row {
  id: string;
  message: unknown;
  buffers?: number;
  builder?: string;
  args?: unknown[];
  error?: string;
}
type Direction = Record<'valid' | 'malformed' | 'unknown', Row[]>;
const table = JSON.parse(fs.readFileSync(path.join(__dirname, '../../cases/messages.json'), 'utf8')) as Record<'kernel_to_page' | 'page_to_kernel', Direction>;

const buffers = (row: Row) => Array.from({ length: row.buffers ?? 0 }, () => new DataView(new ArrayBuffer(1)));
const cases = (rows: Row[]) => rows.map((row) => [row.id, row] as const);

/** The page's builders, by name: every function protocol.ts exports but the check and fromPage. */
const builders = Object.fromEntries(
  Object.entries(protocol).filter(([name, value]) => typeof value === 'function' && !['checkKernelMessage', 'fromPage'].includes(name)),
) as Record<string, (...args: unknown[]) => protocol.PageMessage>;

beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => {}));
afterEach(() => jest.restoreAllMocks());

describe('kernel -> page', () => {
  test.each(cases(table.kernel_to_page.valid))('%s: accepted as the kernel built it', (_id, row) => {
    expect(protocol.checkKernelMessage(row.message, buffers(row))).toEqual(row.message);
  });

  test.each(cases(table.kernel_to_page.malformed))('%s: refused with the table\'s words', (_id, row) => {
    let error: unknown;
    try {
      protocol.checkKernelMessage(row.message, buffers(row));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransferError);
    expect((error as Error).message).toBe(row.error);
  });

  test.each(cases(table.kernel_to_page.unknown))('%s: ignored, with a warning', (_id, row) => {
    expect(protocol.checkKernelMessage(row.message, buffers(row))).toBeNull();
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('ignoring a kernel message of unknown type'));
  });
});

describe('page -> kernel', () => {
  test.each(cases(table.page_to_kernel.valid))('%s: built exactly as the kernel expects', (_id, row) => {
    const build = builders[row.builder!];
    expect(build).toBeDefined();
    const { page } = row.message as { page: string };
    // Compared as JSON text: the same keys in the same order, as they go on the wire.
    expect(JSON.stringify(protocol.fromPage(build!(...row.args!), page))).toBe(JSON.stringify(row.message));
  });

  test('the table builds every page message with every builder', () => {
    expect(new Set(table.page_to_kernel.valid.map((row) => row.builder))).toEqual(new Set(Object.keys(builders)));
    const kinds: Array<protocol.PageMessage['type']> = ['request-frames', 'frames-received', 'page-gone', 'ack', 'file-begin', 'file-chunk', 'export-failed'];
    expect(new Set(table.page_to_kernel.valid.map((row) => (row.message as { type: string }).type))).toEqual(new Set(kinds));
  });
});

// tests/cases/bad-inputs.json and its JS builder, typed for the jest files that use them.
import fs from 'node:fs';
import path from 'node:path';
import { FrameError } from '../../src/core/frames';
import type { ExportOptions } from '../../src/core/options';

export interface Reject {
  frame: number | null;
  message: string;
}
export interface Expectation {
  reject?: Reject | string;
  accept?: { counts: number[]; origin?: [number, number, number] } | true;
  na?: string;
}
export interface FrameRow extends Expectation {
  id: string;
  frames: unknown;
  wire?: boolean;
  js?: Expectation;
  python?: Expectation;
}
export interface OptionRow extends Expectation {
  id: string;
  options: Record<string, unknown>;
  js?: Expectation;
  python?: Expectation;
}
export interface WireRow {
  id: string;
  frames: unknown;
  chunk_bytes: number;
  tamper: unknown[];
  reject: string;
}
export type Message = Record<string, unknown> & { data?: Uint8Array };

interface CasesApi {
  buildFrames(frames: unknown): unknown[];
  buildOptions(options: Record<string, unknown>): ExportOptions;
  expectedFrame(f: unknown, origin?: [number, number, number]): { positions: number[]; colors: number[] | null; count: number; values: number[] | null; categories: number[] | null };
  packWire(frames: unknown[]): { header: Record<string, unknown> & { frames: Array<Record<string, unknown>> }; payload: Uint8Array };
  wireMessages(row: { frames: unknown; chunk_bytes: number; tamper?: unknown[] }, version?: number): Message[];
  expectation(row: unknown, side: 'js' | 'python'): Expectation;
}

export const cases = require('../cases/build-inputs.cjs') as CasesApi;

export const table = JSON.parse(fs.readFileSync(path.join(__dirname, '../cases/bad-inputs.json'), 'utf8')) as {
  frames: FrameRow[];
  options: OptionRow[];
  wire: WireRow[];
};

/** The FrameError `run` throws, or null when it returns; any other exception fails the test. */
export function frameErrorOf(run: () => unknown): FrameError | null {
  try {
    run();
    return null;
  } catch (e) {
    if (!(e instanceof FrameError)) throw new Error(`expected a FrameError, got ${String(e)}`);
    return e;
  }
}

/** A rejection message holds the row's fragment and names its frame, and only that one. */
export function expectRejection(message: string, reject: Reject): void {
  expect(message).toContain(reject.message);
  const named = [...message.matchAll(/frames\[(\d+)\]/g)].map((m) => Number(m[1]));
  if (reject.frame === null) {
    expect(named).toEqual([]);
  } else {
    expect(message.startsWith(`frames[${reject.frame}]: `)).toBe(true);
    expect(new Set(named)).toEqual(new Set([reject.frame]));
  }
}

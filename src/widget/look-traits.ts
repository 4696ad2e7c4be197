// The look traits (point_size, point_shape, colormap, background, quality, view) between the
// kernel's names and values and the page's: what the panel writes, what the panel and player
// take from the kernel, and what every export from the page renders with.
import type { CameraView } from '../core/camera.js';
import { isColormap } from '../core/colormap.js';
import { resolveOptions, type ExportOptions } from '../core/options.js';
import { DEFAULTS, MAX_POINT_SIZE, POINT_SHAPES, QUALITIES, type PointShape, type Quality } from '../core/settings.js';
import type { Look, LookChange } from '../ui/index.js';

/** The kernel's view trait: WORLD coordinates, fov_deg in snake_case as Python spells it. */
export interface ViewTrait {
  position: [number, number, number];
  target: [number, number, number];
  up: [number, number, number];
  fov_deg: number;
}

/** The trait each setting of the panel's look is written to. */
const TRAIT_OF: Record<keyof Look, string> = {
  pointSize: 'point_size',
  pointShape: 'point_shape',
  colormap: 'colormap',
  background: 'background',
  quality: 'quality',
};

/** A camera as the view trait holds it; null (the fitted camera) stays null. */
export function viewTrait(view: CameraView | null): ViewTrait | null {
  if (!view) return null;
  return { position: [...view.position], target: [...view.target], up: [...view.up], fov_deg: view.fovDeg };
}

/** The view trait as core's CameraView (unchecked: the export checks it); null or no object: none. */
export function traitView(value: unknown): CameraView | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Partial<ViewTrait>;
  return { position: v.position!, target: v.target!, up: v.up!, fovDeg: v.fov_deg! };
}

/** The traits one change in the panel writes. */
export function lookTraits(change: LookChange): Record<string, unknown> {
  return Object.fromEntries(Object.entries(change).map(([key, value]) => [TRAIT_OF[key as keyof Look], value ?? null]));
}

/**
 * Options at their default are left out (absent and null ones too), so an export with every trait
 * at its default asks exactly what it asked before these traits existed (tests/cases/goldens.json).
 */
function withoutDefaults<T extends object>(options: T, defaults: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([key, value]) => value !== undefined && value !== null && value !== defaults[key as keyof T]),
  ) as Partial<T>;
}

type LookOptions = Pick<ExportOptions, 'pointSize' | 'pointShape' | 'background' | 'quality' | 'view'>;

/** The look traits as export options (unchecked: the export checks them, with its messages); colormap goes in with the others. */
export function lookOptions(get: (name: string) => unknown): LookOptions {
  const options: LookOptions = {
    pointSize: get('point_size') as number | undefined,
    pointShape: get('point_shape') as PointShape | undefined,
    background: get('background') as string | undefined,
    quality: get('quality') as Quality | undefined,
    view: traitView(get('view')),
  };
  return withoutDefaults(options, { pointShape: DEFAULTS.pointShape, background: DEFAULTS.background, quality: DEFAULTS.quality });
}

/** What the panel and player show for the kernel's traits; a value the page refuses is absent (the export reports it). */
export interface ShownLook {
  pointSize?: number | undefined;
  pointShape?: PointShape;
  colormap?: Look['colormap'];
  background?: string;
  quality?: Quality;
  /** null: the fitted camera. */
  view?: CameraView | null;
}

export function shownLook(get: (name: string) => unknown): ShownLook {
  const shown: ShownLook = {};
  const size = get('point_size');
  if (size === null || size === undefined) shown.pointSize = undefined;
  else if (typeof size === 'number' && size > 0 && size <= MAX_POINT_SIZE) shown.pointSize = size;
  const shape = get('point_shape');
  if ((POINT_SHAPES as readonly unknown[]).includes(shape)) shown.pointShape = shape as PointShape;
  const colormap = get('colormap');
  if (isColormap(colormap)) shown.colormap = colormap;
  const background = get('background');
  if (typeof background === 'string' && /^#[0-9a-f]{6}$/i.test(background)) shown.background = background.toLowerCase();
  const quality = get('quality');
  if ((QUALITIES as readonly unknown[]).includes(quality)) shown.quality = quality as Quality;
  const view = get('view');
  if (view === null || view === undefined) shown.view = null;
  else {
    try {
      shown.view = resolveOptions({ view: traitView(view)! }).view!; // the export's own check of a camera
    } catch {
      // a camera the export refuses: the player keeps its own, the export says what is wrong
    }
  }
  return shown;
}

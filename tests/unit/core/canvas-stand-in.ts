// A 2D canvas stand-in for Node (jest), enough for the CPU rasteriser's renderer: goldens and lazy-frame tests.
/**
 * Node has no 2D canvas: a stand-in that keeps what putImageData writes (the CPU
 * backend's whole frame), hands it back from getImageData, and writes down the
 * title's fillText calls (font rendering differs between machines, so the title
 * is pinned as text, font and place in the summary, not as pixels).
 */
export class Canvas2D {
  readonly data: Uint8ClampedArray;
  readonly texts: string[] = [];
  font = '';
  fillStyle = '';
  textAlign = '';
  textBaseline = '';
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }
  putImageData(image: ImageData, x: number, y: number) {
    if (x !== 0 || y !== 0 || image.width !== this.width) throw new Error('the golden canvas takes whole-width images at (0, 0)');
    this.data.set(image.data);
  }
  getImageData(x: number, y: number, w: number, h: number) {
    if (x !== 0 || w !== this.width) throw new Error('the golden canvas reads whole rows');
    return new ImageDataStandIn(this.data.slice(y * w * 4, (y + h) * w * 4), w, h);
  }
  fillText(text: string, x: number, y: number) {
    this.texts.push(`${JSON.stringify(text)} at (${x}, ${y}) ${this.font} ${this.fillStyle} ${this.textAlign}/${this.textBaseline}`);
  }
}

class ImageDataStandIn {
  constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {}
}

/** Every 2D context made, in order (the renderer's composite canvas first). */
export const canvases: Canvas2D[] = [];
class OffscreenCanvasStandIn {
  constructor(readonly width: number, readonly height: number) {}
  getContext(kind: string) {
    if (kind !== '2d') return null; // no WebGL: the golden is the CPU rasteriser's
    const ctx = new Canvas2D(this.width, this.height);
    canvases.push(ctx);
    return ctx;
  }
}

const globals = globalThis as Record<string, unknown>;

/** Installs the stand-ins as OffscreenCanvas and ImageData for the tests of the calling file. */
export function useCanvasStandIn(): void {
  beforeAll(() => {
    globals.OffscreenCanvas = OffscreenCanvasStandIn;
    globals.ImageData = ImageDataStandIn;
  });
  afterAll(() => {
    delete globals.OffscreenCanvas;
    delete globals.ImageData;
  });
}
